#!/usr/bin/env node
// Runs one kind of test with Node's built-in test runner on the compiled tree (dist-test/), so
// tests load modules exactly as production does (NestJS 12 ships ES modules only).
//
//   node scripts/run-tests.js unit|e2e|browser [filter]
const { spawnSync } = require('node:child_process');
const { appendFileSync, readdirSync, readFileSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');

const KINDS = {
  unit: { roots: ['dist-test/libs', 'dist-test/apps'], suffix: '.spec.js', concurrency: 2 },
  e2e: { roots: ['dist-test/test'], suffix: '.e2e-spec.js', concurrency: 2 },
  browser: { roots: ['dist-test/test'], suffix: '.browser-spec.js', concurrency: 1 },
};

function findFiles(dir, suffix) {
  let found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found = found.concat(findFiles(path, suffix));
    else if (name.endsWith(suffix)) found.push(path);
  }
  return found;
}

const [kind, filter] = process.argv.slice(2);
const settings = KINDS[kind];
if (!settings) {
  console.error(`usage: run-tests.js ${Object.keys(KINDS).join('|')} [filter]`);
  process.exit(2);
}
const files = settings.roots
  .flatMap((root) => findFiles(root, settings.suffix))
  .filter((file) => !filter || file.includes(filter))
  .sort();
if (files.length === 0) {
  console.error(`no ${kind} tests found${filter ? ` matching ${filter}` : ''}; did the build run?`);
  process.exit(1);
}
console.log(
  `${kind}: ${files.length} file(s) on ${process.env.TEST_DB ?? 'sqlite'}: ${files.map((f) => relative('dist-test', f)).join(', ')}`,
);
// Spec output for people, TAP into a file for the tally that `scripts/test-summary.js` prints.
const tapFile = join('dist-test', `${kind}-${process.env.TEST_DB ?? 'sqlite'}.tap`);
const result = spawnSync(
  process.execPath,
  [
    '--enable-source-maps',
    '--test',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    `--test-concurrency=${settings.concurrency}`,
    '--test-timeout=300000',
    ...files,
  ],
  { stdio: 'inherit' },
);
const count = (name) => Number((new RegExp(`^# ${name} (\\d+)$`, 'm').exec(readFileSync(tapFile, 'utf8')) ?? [])[1] ?? 0);
const label = `${kind}${kind === 'e2e' ? `-${process.env.TEST_DB ?? 'sqlite'}` : ''}`;
const line = `${label}: ${count('pass')} passed, ${count('fail') + count('cancelled')} failed`;
console.log(line);
appendFileSync(join('dist-test', 'summary.txt'), `${line}\n`);
process.exit(result.status ?? 1);
