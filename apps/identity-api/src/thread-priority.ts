import { pbkdf2 } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Lowers the scheduling priority (raises the nice value) of every thread of this process but the
 * event loop's: libuv's threadpool, where argon2 hashes and access tokens are signed, and V8's
 * helper threads.
 *
 * Hashes are capped at one per core, so a burst of password sign-ins keeps every core busy; at
 * equal priority the event loop then waits its turn behind them, and every request — a token
 * check that needs a fraction of a millisecond — waits tens of milliseconds. At a lower priority
 * the hashes give way the moment the event loop has work and use whatever CPU is left, so sign-ins
 * lose almost nothing. Linux only (thread ids from /proc); elsewhere, and with `nice` 0, a no-op.
 */
export async function lowerWorkerThreadPriority(nice: number): Promise<void> {
  if (nice === 0 || process.platform !== 'linux') return;
  // The threadpool starts its threads on first use; make sure they exist to be changed.
  await new Promise((resolve) => pbkdf2('', '', 1, 1, 'sha256', resolve));
  for (const threadId of readdirSync('/proc/self/task').map(Number)) {
    if (threadId === process.pid) continue;
    try {
      // On Linux setpriority() on a thread id changes that thread alone.
      setPriority(threadId, nice);
    } catch {
      // The thread ended in the meantime.
    }
  }
}
