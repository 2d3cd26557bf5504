import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { Matches } from 'class-validator';
import { ConfigValidationError, DURATION_PATTERN, parseDuration, validateEnv } from '@identity/common';

class JobsEnv {
  @Transform(({ value }) => String(value))
  @Matches(DURATION_PATTERN, { message: 'CLEANUP_INTERVAL must be a duration such as 600, 10m or 1h' })
  CLEANUP_INTERVAL = '10m';

  @Transform(({ value }) => String(value))
  @Matches(DURATION_PATTERN, { message: 'RETENTION_INTERVAL must be a duration such as 3600, 60m or 1h' })
  RETENTION_INTERVAL = '1h';
}

/** Which period a scheduled job follows. */
export type JobSchedule = 'cleanup' | 'retention';

export interface JobsConfig {
  /** Milliseconds between ticks of each schedule; ticks sit on multiples of it since the epoch. */
  periodsMs: Record<JobSchedule, number>;
}

const LIMITS_S = { min: 1, max: 7 * 86_400 };

export function loadJobsConfig(env: NodeJS.ProcessEnv = process.env): JobsConfig {
  const values = validateEnv(JobsEnv, env);
  const periods = { cleanup: parseDuration(values.CLEANUP_INTERVAL), retention: parseDuration(values.RETENTION_INTERVAL) };
  const problems = Object.entries(periods)
    .filter(([, seconds]) => seconds < LIMITS_S.min || seconds > LIMITS_S.max)
    .map(([schedule, seconds]) => `${schedule.toUpperCase()}_INTERVAL must be between 1 second and 7 days (got ${seconds} s)`);
  if (problems.length) throw new ConfigValidationError(problems);
  return { periodsMs: { cleanup: periods.cleanup * 1000, retention: periods.retention * 1000 } };
}

export const jobsConfig = registerAs('jobs', () => loadJobsConfig());
