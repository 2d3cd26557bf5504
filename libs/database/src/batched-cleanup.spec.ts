import { describe, it } from 'node:test';
import { expect } from 'expect';
import { Logger } from '@nestjs/common';
import { Repository } from 'typeorm';
import { ExpiredRowsCleanup } from './batched-cleanup';

type Row = { id: string; expiresAt: Date };

/** A table of expired rows whose database is unreachable until `databaseUp` is set. */
function flakyTable(ids: string[]) {
  const state = { databaseUp: false, rows: [...ids] };
  const unreachable = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  const repository = {
    find: async () => {
      if (!state.databaseUp) throw unreachable();
      return state.rows.map((id) => ({ id }));
    },
    delete: async () => {
      const affected = state.rows.length;
      state.rows = [];
      return { affected };
    },
  } as unknown as Repository<Row>;
  return { state, repository };
}

class TestCleanup extends ExpiredRowsCleanup<Row> {
  run(): Promise<void> {
    return this.runScheduled();
  }
}

describe('scheduled cleanups during a database outage', () => {
  it('log the failed run and delete at the next run once the database is back', async () => {
    const { state, repository } = flakyTable(['a', 'b']);
    const warnings: string[] = [];
    const logger = { warn: (text: string) => void warnings.push(text), log: () => undefined } as unknown as Logger;
    const cleanup = new TestCleanup(repository, logger, 'expired rows', () => new Date());

    await cleanup.run();
    expect(warnings).toEqual(['deleting expired rows failed: connect ECONNREFUSED']);
    expect(state.rows).toHaveLength(2);

    state.databaseUp = true;
    await cleanup.run();
    expect(state.rows).toHaveLength(0);
  });
});
