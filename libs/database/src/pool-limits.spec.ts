import { describe, it } from 'node:test';
import { expect } from 'expect';
import { DataSource } from 'typeorm';
import { ACQUIRE_TIMEOUT, boundConnectionWait } from './pool-limits';

type Callback = (error: Error | null, connection?: { release(): void }) => void;

/** A pool whose connections are handed out only when the test says so. */
function slowPool() {
  const waiting: Callback[] = [];
  const released: string[] = [];
  const pool = { getConnection: (callback: Callback) => void waiting.push(callback) };
  const handOut = (name: string) => waiting.shift()!(null, { release: () => void released.push(name) });
  return { dataSource: { driver: { pool } } as unknown as DataSource, pool, handOut, released };
}

const acquire = (pool: { getConnection(callback: Callback): void }) =>
  new Promise<unknown>((resolve) => pool.getConnection((error, connection) => resolve(error ?? connection)));

describe('waiting for a pooled connection', () => {
  it('fails with a timeout code once the wait is over, and returns a late connection to the pool', async () => {
    const { dataSource, pool, handOut, released } = slowPool();
    boundConnectionWait(dataSource, 20);
    expect(await acquire(pool)).toMatchObject({ code: ACQUIRE_TIMEOUT });
    handOut('late');
    expect(released).toEqual(['late']);
  });

  it('hands over a connection that comes in time', async () => {
    const { dataSource, pool, handOut, released } = slowPool();
    boundConnectionWait(dataSource, 1000);
    const result = acquire(pool);
    handOut('prompt');
    expect(await result).toHaveProperty('release');
    expect(released).toEqual([]);
  });
});
