import { Command, CommandRunner, Help, Option } from 'nest-commander';
import { OutboxRetryService, RetryFilter, RetryResult } from '@identity/messaging';
import { CliError } from './cli-errors';
import { withServices } from './service-context';

interface OutboxRetryOptions {
  id?: string;
  since?: Date;
}

const DURATION = /^(\d+)([mhd])$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** An ISO 8601 time, or an age such as 30m, 12h, 7d counted back from now. */
export function parseSince(value: string, now = Date.now()): Date {
  const age = DURATION.exec(value);
  if (age) return new Date(now - Number(age[1]) * UNIT_MS[age[2] as keyof typeof UNIT_MS]);
  const time = /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : undefined;
  if (!time || Number.isNaN(time.getTime())) {
    throw new CliError(`--since must be an ISO 8601 time (2026-11-30T08:00Z) or an age such as 30m, 12h, 7d; got "${value}"`);
  }
  return time;
}

function report(result: RetryResult): string {
  const lines = [`requeued ${result.requeued} failed message(s)`];
  if (result.skippedWithoutSecret) {
    lines.push(
      `skipped ${result.skippedWithoutSecret} whose one-time code was removed when it was given up: ` +
        'it cannot be sent again; the person can ask for a new code',
    );
  }
  const taken = result.matched - result.requeued - result.skippedWithoutSecret;
  if (taken > 0) lines.push(`${taken} changed state while this ran (another retry) and were left alone`);
  return lines.join('\n');
}

@Command({
  name: 'outbox:retry',
  description: 'Put messages the dispatcher gave up on (failed) back in the queue; prints how many',
})
export class OutboxRetryCommand extends CommandRunner {
  async run(_params: string[], options: OutboxRetryOptions): Promise<void> {
    const filter: RetryFilter = { id: options.id, since: options.since };
    const result = await withServices((app) => app.get(OutboxRetryService, { strict: false }).requeueFailed(filter));
    if (options.id && result.matched === 0) throw new CliError(`no failed message with id ${options.id}`);
    console.log(report(result));
  }

  @Option({ flags: '--id <id>', description: 'only this message (its id is in the message.failed audit event and the log)' })
  parseId(value: string): string {
    return value;
  }

  @Option({ flags: '--since <time>', description: 'only messages created at or after this time: ISO 8601, or an age like 12h, 7d' })
  parseSince(value: string): Date {
    return parseSince(value);
  }

  @Help('after')
  retryHelp(): string {
    return `
Requeued messages get a fresh attempt budget (OUTBOX_MAX_ATTEMPTS) and are sent by the running
API instances at their next poll. Fix the cause first (MAIL_URL, SMS_URL, the server behind them).
Code messages (sign-up, sign-in, reset codes) lose their code when they are given up and are
skipped: the person asks for a new code instead. Each run is recorded as message.requeued.`;
  }
}
