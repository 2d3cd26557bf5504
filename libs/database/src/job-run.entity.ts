import { Column, Entity, PrimaryColumn } from 'typeorm';
import { UpdatedAtColumn } from './columns';

/**
 * One row per scheduled job: the last schedule tick some instance claimed, which instance that
 * was and how many ticks ran in all. The claim is a conditional update on `last_tick`, so of
 * several instances firing for the same tick exactly one runs the job.
 */
@Entity('job_runs')
export class JobRunEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  name!: string;

  /** The claimed tick: its scheduled time in epoch milliseconds (bigint comes back as a string on MySQL). */
  @Column({ name: 'last_tick', type: 'bigint' })
  lastTick!: string | number;

  /** The instance that ran the last tick (host:pid). */
  @Column({ type: 'varchar', length: 255 })
  holder!: string;

  @Column({ type: 'int', default: 0 })
  runs!: number;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
