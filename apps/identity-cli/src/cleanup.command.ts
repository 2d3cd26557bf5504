import { INestApplicationContext, Type } from '@nestjs/common';
import { Command, CommandRunner } from 'nest-commander';
import { AuditRetentionService } from '@identity/audit';
import { RedirectCleanupService } from '@identity/auth-core';
import { PendingRegistrationCleanupService } from '@identity/auth-providers/local';
import { OutboxRetentionService } from '@identity/messaging';
import { MfaCleanupService } from '@identity/mfa';
import { OtpCleanupService } from '@identity/otp';
import { optionalService, withServices } from './service-context';

/** Rows deleted per table; null where the module owning the table is not mounted. */
type Counts = Record<string, number | null>;

/** Each cleanup the API schedules, in the order they are run and printed. */
async function runEveryCleanup(app: INestApplicationContext): Promise<Counts> {
  const once = async (type: Type<{ deleteExpired(): Promise<number> }>) => (await optionalService(app, type)?.deleteExpired()) ?? null;
  const redirects = await app.get(RedirectCleanupService, { strict: false }).deleteExpired();
  return {
    otp_challenges: await once(OtpCleanupService),
    pending_registrations: await once(PendingRegistrationCleanupService),
    mfa_challenges: await once(MfaCleanupService),
    ...redirects,
    message_outbox: await once(OutboxRetentionService),
    audit_logs: await once(AuditRetentionService),
  };
}

function report(counts: Counts): string {
  const width = Math.max(...Object.keys(counts).map((kind) => kind.length)) + 2;
  const deleted = Object.values(counts).reduce<number>((sum, count) => sum + (count ?? 0), 0);
  const lines = Object.entries(counts).map(([kind, count]) => `${kind.padEnd(width)}${count ?? '- (module not enabled)'}`);
  return [...lines, `${'total'.padEnd(width)}${deleted}`].join('\n');
}

@Command({
  name: 'cleanup',
  description:
    'Run every expiry cleanup once now (codes, pending registrations, MFA tokens, redirect sign-ins, old outbox and audit rows); prints rows deleted per table',
})
export class CleanupCommand extends CommandRunner {
  async run(): Promise<void> {
    console.log(report(await withServices(runEveryCleanup)));
  }
}
