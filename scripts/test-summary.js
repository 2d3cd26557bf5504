#!/usr/bin/env node
// Prints the tally of every test run recorded by scripts/run-tests.js since the last build.
const { readFileSync } = require('node:fs');

const lines = readFileSync('dist-test/summary.txt', 'utf8').trim().split('\n');
let passed = 0;
let failed = 0;
for (const line of lines) {
  const [, p, f] = /: (\d+) passed, (\d+) failed$/.exec(line) ?? [];
  passed += Number(p ?? 0);
  failed += Number(f ?? 0);
}
console.log(`\n${lines.join('\n')}\n`);
console.log(`total: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
