import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConfigValidationError } from '@identity/common';
import { ClusterJobs } from './cluster-jobs.service';
import { buildDataSourceOptions, runMigrations } from './data-source.factory';
import { JobRunEntity } from './job-run.entity';
import { loadJobsConfig } from './jobs.config';

describe('ClusterJobs (real schema, in-memory SQLite)', () => {
  let dataSource: DataSource;
  const instance = () => new ClusterJobs(dataSource, loadJobsConfig({}));

  before(async () => {
    Logger.overrideLogger(['error']);
    const options = buildDataSourceOptions({ dialect: 'sqlite', sqlitePath: ':memory:', url: '', migrationsRun: true, poolSize: 1 }, [
      JobRunEntity,
    ]);
    dataSource = await new DataSource(options).initialize();
    await runMigrations(dataSource);
  });
  after(() => dataSource?.destroy());

  it('gives each tick of a job to exactly one caller, never an older tick after a newer one', async () => {
    const [a, b, c] = [instance(), instance(), instance()];
    const first = await Promise.all([a.claim('cleanup', 1000), b.claim('cleanup', 1000), c.claim('cleanup', 1000)]);
    expect(first.filter(Boolean)).toHaveLength(1);
    expect(await b.claim('cleanup', 1000)).toBe(false);
    expect(await b.claim('cleanup', 2000)).toBe(true);
    expect(await a.claim('cleanup', 1000)).toBe(false);
    // Jobs are claimed independently of each other.
    expect(await c.claim('retention', 1000)).toBe(true);
    const row = await dataSource.getRepository(JobRunEntity).findOneByOrFail({ name: 'cleanup' });
    expect({ lastTick: Number(row.lastTick), runs: row.runs, holder: row.holder }).toEqual({ lastTick: 2000, runs: 2, holder: b.instance });
  });

  it('refuses a job name registered twice', () => {
    const jobs = instance();
    jobs.every('twice', 'cleanup', async () => undefined);
    expect(() => jobs.every('twice', 'cleanup', async () => undefined)).toThrow(/registered twice/);
  });

  it('reads and validates the schedules', () => {
    expect(loadJobsConfig({})).toEqual({ periodsMs: { cleanup: 600_000, retention: 3_600_000 } });
    expect(loadJobsConfig({ CLEANUP_INTERVAL: '2s', RETENTION_INTERVAL: '30m' })).toEqual({
      periodsMs: { cleanup: 2000, retention: 1_800_000 },
    });
    for (const env of [{ CLEANUP_INTERVAL: '0' }, { RETENTION_INTERVAL: '8d' }, { CLEANUP_INTERVAL: 'often' }]) {
      expect(() => loadJobsConfig(env)).toThrow(ConfigValidationError);
    }
  });
});
