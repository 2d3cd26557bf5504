// The TAP reporter, which also keeps what the spec processes wrote to stdout and stderr (the
// apps' raw output) for the log canary (scripts/check-log-canary.ts), one JSON line per line
// written. One reporter rather than a third one: Node warns about listeners beyond two.
const { appendFileSync } = require('node:fs');
const { join } = require('node:path');
const { tap } = require('node:test/reporters');

function keepOutput(event, file) {
  const stream = event.type.slice('test:'.length);
  const lines = event.data.message.split('\n').filter(Boolean);
  const records = lines.map((text) => `${JSON.stringify({ file: event.data.file, stream, text })}\n`);
  if (records.length) appendFileSync(file, records.join(''));
}

async function* teeOutput(source, file) {
  for await (const event of source) {
    if (file && (event.type === 'test:stdout' || event.type === 'test:stderr')) keepOutput(event, file);
    yield event;
  }
}

module.exports = async function* tapAndOutput(source) {
  const dir = process.env.LOG_CANARY_DIR;
  yield* tap(teeOutput(source, dir && join(dir, 'spec-output.jsonl')));
};
