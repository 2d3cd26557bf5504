import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { expect } from 'expect';

/** Runs `script` in a fresh Node process with the guard installed. */
function runGuarded(script: string) {
  const guard = JSON.stringify(join(__dirname, 'process-guards.js'));
  return spawnSync(process.execPath, ['-e', `require(${guard}).keepRunningOnUnhandledRejection(); ${script}`], {
    encoding: 'utf8',
    timeout: 10_000,
  });
}

describe('process guards', () => {
  it('logs an unhandled rejection as an error and keeps running', () => {
    const result = runGuarded(`Promise.reject(new Error('pool gone')); setTimeout(() => console.log('still serving'), 50);`);
    expect(result.status).toBe(0);
    expect(result.stdout + result.stderr).toMatch(/unhandled promise rejection \(process kept running\): Error: pool gone/);
    expect(result.stdout).toContain('still serving');
  });

  it('still ends the process on an uncaught exception', () => {
    const result = runGuarded(`setTimeout(() => { throw new Error('broken state'); }, 10);`);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('broken state');
  });
});
