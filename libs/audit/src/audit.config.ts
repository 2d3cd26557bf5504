import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { validateEnv } from '@identity/common';

const int = () => Transform(({ value }) => Number(value));

class AuditEnv {
  @int()
  @IsInt()
  @Min(1)
  @Max(3650)
  AUDIT_RETENTION_DAYS = 90;

  @int()
  @IsInt()
  @Min(1)
  @Max(10000)
  AUDIT_RETENTION_BATCH = 1000;
}

export interface AuditConfig {
  /** Audit rows older than this many days are deleted by the retention job. */
  retentionDays: number;
  /** Rows deleted per statement: keeps each delete a short transaction (DESIGN §7). */
  retentionBatch: number;
}

export function loadAuditConfig(env: NodeJS.ProcessEnv = process.env): AuditConfig {
  const values = validateEnv(AuditEnv, env);
  return { retentionDays: values.AUDIT_RETENTION_DAYS, retentionBatch: values.AUDIT_RETENTION_BATCH };
}

export const auditConfig = registerAs('audit', () => loadAuditConfig());
