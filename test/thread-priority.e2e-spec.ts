import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiProcess } from './support/api-process';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';
import { dialect } from './support/test-app';

/** Nice value of each thread of a process, by thread id (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNiceValues(pid: number): Map<number, number> {
  const values = new Map<number, number>();
  for (const threadId of readdirSync(`/proc/${pid}/task`).map(Number)) {
    const stat = readFileSync(`/proc/${pid}/task/${threadId}/stat`, 'utf8');
    // The command name, in parentheses, may hold spaces: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    values.set(threadId, Number(fields[16]));
  }
  return values;
}

describe(`thread priorities of the real process (${dialect})`, { skip: process.platform !== 'linux' }, () => {
  let database: ScratchDatabase;
  let cwd: string;
  const env = (nice: string) => ({ DATABASE_URL: database.url, JWT_KEYS_DIR: join(cwd, 'keys'), WORKER_THREAD_NICE: nice });

  before(async () => {
    database = await createScratchDatabase(dialect);
    cwd = mkdtempSync(join(tmpdir(), 'identity-threads-'));
  });
  after(async () => {
    await database?.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('runs the event loop at normal priority and every other thread (the hashing threadpool among them) at WORKER_THREAD_NICE', async () => {
    const api = await startApiProcess(env('7'), { cwd });
    try {
      const pid = api.child.pid!;
      const nice = threadNiceValues(pid);
      // As started: the nice value of the process that started it (this one's).
      expect(nice.get(pid)).toBe(getPriority());
      const others = [...nice].filter(([threadId]) => threadId !== pid).map(([, value]) => value);
      // libuv's threadpool (4) and V8's helpers at least.
      expect(others.length).toBeGreaterThanOrEqual(5);
      expect(new Set(others)).toEqual(new Set([7]));
    } finally {
      await api.stop();
    }
  });

  it('leaves every thread alone with WORKER_THREAD_NICE=0', async () => {
    const api = await startApiProcess(env('0'), { cwd });
    try {
      expect(new Set(threadNiceValues(api.child.pid!).values())).toEqual(new Set([getPriority()]));
    } finally {
      await api.stop();
    }
  });
});
