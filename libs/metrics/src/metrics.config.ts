import { registerAs } from '@nestjs/config';
import { IsIn, IsOptional, IsString, MinLength } from 'class-validator';
import { validateEnv } from '@identity/common';

class MetricsEnv {
  @IsIn(['true', 'false'])
  METRICS_ENABLED = 'true';

  /** Short tokens can be guessed by anyone who reaches the port; 16+ characters. */
  @IsOptional()
  @IsString()
  @MinLength(16)
  METRICS_TOKEN?: string;
}

export interface MetricsConfig {
  enabled: boolean;
  /** When set, `GET /metrics` needs `Authorization: Bearer <token>`. */
  token?: string;
}

export function loadMetricsConfig(env: NodeJS.ProcessEnv = process.env): MetricsConfig {
  const values = validateEnv(MetricsEnv, env);
  return { enabled: values.METRICS_ENABLED === 'true', token: values.METRICS_TOKEN };
}

export const metricsConfig = registerAs('metrics', () => loadMetricsConfig());
