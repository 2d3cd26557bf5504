#!/usr/bin/env node
// Runs one kind of test with Node's built-in test runner on the compiled tree (dist-test/), so
// tests load modules exactly as production does (NestJS 12 ships ES modules only).
//
//   node scripts/run-tests.js unit|e2e|browser [filter]
const { spawnSync } = require('node:child_process');
const { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } = require('node:fs');
const { join, relative, resolve } = require('node:path');

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
// The e2e apps log everything into a fresh canary directory, checked for secrets after the run
// (scripts/check-log-canary.ts); the TAP reporter keeps the specs' raw output there too.
const canaryDir = kind === 'e2e' ? resolve('dist-test', `log-canary-${process.env.TEST_DB ?? 'sqlite'}`) : undefined;
if (canaryDir) {
  rmSync(canaryDir, { recursive: true, force: true });
  mkdirSync(canaryDir, { recursive: true });
}
// Timing measurements run after the rest, one file at a time: a spec file running beside them
// on the two cores would add its own load to what they measure.
const ALONE = /enumeration-timing/;
const passes = [
  { files: files.filter((file) => !ALONE.test(file)), concurrency: settings.concurrency, tap: tapFile },
  { files: files.filter((file) => ALONE.test(file)), concurrency: 1, tap: tapFile.replace(/\.tap$/, '-alone.tap') },
].filter((pass) => pass.files.length);
const statuses = passes.map((pass) => runPass(pass).status ?? 1);

function runPass({ files: passFiles, concurrency, tap }) {
  return spawnSync(
    process.execPath,
    [
      '--enable-source-maps',
      '--test',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=./scripts/tap-and-output-reporter.js',
      `--test-reporter-destination=${tap}`,
      `--test-concurrency=${concurrency}`,
      '--test-timeout=300000',
      ...passFiles,
    ],
    { stdio: 'inherit', env: canaryDir ? { ...process.env, LOG_CANARY_DIR: canaryDir } : process.env },
  );
}

const count = (name) =>
  passes.reduce((sum, pass) => sum + Number((new RegExp(`^# ${name} (\\d+)$`, 'm').exec(readFileSync(pass.tap, 'utf8')) ?? [])[1] ?? 0), 0);
const label = `${kind}${kind === 'e2e' ? `-${process.env.TEST_DB ?? 'sqlite'}` : ''}`;
const line = `${label}: ${count('pass')} passed, ${count('fail') + count('cancelled')} failed`;
console.log(line);
appendFileSync(join('dist-test', 'summary.txt'), `${line}\n`);
let status = statuses.find((code) => code !== 0) ?? 0;
if (canaryDir) {
  const canary = spawnSync(process.execPath, ['dist-test/scripts/check-log-canary.js', canaryDir], { stdio: 'inherit' });
  const failed = canary.status === 0 ? 0 : 1;
  appendFileSync(join('dist-test', 'summary.txt'), `log canary of ${label}: ${1 - failed} passed, ${failed} failed\n`);
  if (failed) status = status || 1;
}
process.exit(status);
