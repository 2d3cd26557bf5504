import { hostname } from 'node:os';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { isUniqueViolation } from './database.errors';
import { JobRunEntity } from './job-run.entity';
import { jobsConfig, JobSchedule } from './jobs.config';

interface ScheduledJob {
  name: string;
  periodMs: number;
  run: () => Promise<void>;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
}

/**
 * Runs each scheduled job once per tick across the whole cluster. Every instance arms a timer for
 * the next multiple of the job's period (so all of them fire for the same tick) and then claims
 * that tick in `job_runs` with a conditional update; only the winner runs the job. It needs
 * nothing but the database, so it holds on SQLite and MySQL alike, with or without Redis.
 *
 * Timers run only where ScheduleModule is registered (the API), never in CLI commands.
 */
@Injectable()
export class ClusterJobs implements OnApplicationBootstrap, BeforeApplicationShutdown {
  /** Names this process in `job_runs.holder` and in log lines. */
  readonly instance = `${hostname()}:${process.pid}`;
  private readonly logger = new Logger(ClusterJobs.name);
  private readonly jobs = new Map<string, ScheduledJob>();
  private active = false;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(jobsConfig.KEY) private readonly config: ConfigType<typeof jobsConfig>,
    @Optional() private readonly scheduler?: SchedulerRegistry,
  ) {}

  /** Registers a job under a unique name; it follows the period of `schedule`. */
  every(name: string, schedule: JobSchedule, run: () => Promise<void>): void {
    if (this.jobs.has(name)) throw new Error(`scheduled job ${name} is registered twice`);
    this.jobs.set(name, { name, periodMs: this.config.periodsMs[schedule], run });
    if (this.active) this.arm(this.jobs.get(name)!);
  }

  periodOf(name: string): number | undefined {
    return this.jobs.get(name)?.periodMs;
  }

  /** Stops one job's timer on this instance (tests that drive a job by hand). */
  stop(name: string): void {
    clearTimeout(this.jobs.get(name)?.timer);
  }

  onApplicationBootstrap(): void {
    if (!this.scheduler) return;
    this.active = true;
    for (const job of this.jobs.values()) this.arm(job);
  }

  /** Lets a running job finish before the database connection closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.active = false;
    for (const job of this.jobs.values()) clearTimeout(job.timer);
    await Promise.all([...this.jobs.values()].map((job) => job.running));
  }

  /**
   * Claims `tick` (a scheduled time, epoch ms) of a job for this instance; true for exactly one
   * caller per tick cluster-wide. The first claim of a job inserts its row; two instances racing
   * to insert it meet on the primary key, and the loser has lost the tick.
   */
  async claim(name: string, tick: number): Promise<boolean> {
    const rows = this.dataSource.getRepository(JobRunEntity);
    const claimed = await rows
      .createQueryBuilder()
      .update(JobRunEntity)
      .set({ lastTick: tick, holder: this.instance, runs: () => 'runs + 1' })
      .where('name = :name AND last_tick < :tick', { name, tick })
      .execute();
    if (claimed.affected) return true;
    try {
      await rows.insert({ name, lastTick: tick, holder: this.instance, runs: 1 });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  private arm(job: ScheduledJob): void {
    const now = Date.now();
    const tick = (Math.floor(now / job.periodMs) + 1) * job.periodMs;
    job.timer = setTimeout(() => this.fire(job, tick), tick - now);
    job.timer.unref();
  }

  /** The next tick is armed first, so a long run never shifts the schedule. */
  private fire(job: ScheduledJob, tick: number): void {
    if (!this.active) return;
    this.arm(job);
    // Still busy with an earlier tick: this instance leaves the new one to the others.
    if (job.running) return;
    job.running = this.runTick(job, tick).finally(() => (job.running = undefined));
  }

  private async runTick(job: ScheduledJob, tick: number): Promise<void> {
    try {
      if (!(await this.claim(job.name, tick))) return;
      this.logger.log(`job ${job.name} tick ${new Date(tick).toISOString()} runs on ${this.instance}`);
      await job.run();
    } catch (error) {
      // The job's next tick starts over; its work is idempotent.
      this.logger.warn(`job ${job.name} tick ${new Date(tick).toISOString()} failed: ${(error as Error).message}`);
    }
  }
}
