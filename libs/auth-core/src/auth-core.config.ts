import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { ConfigValidationError, parseList, validateEnv } from '@identity/common';

const int = () => Transform(({ value }) => Number(value));

class AuthCoreEnv {
  /** Unset: every provider that is built in and configured. */
  @IsOptional()
  @IsString()
  AUTH_PROVIDERS?: string;

  @int()
  @IsInt()
  @Min(8192)
  @Max(4 * 1024 * 1024)
  ARGON2_MEMORY_KIB = 19456;

  @int()
  @IsInt()
  @Min(1)
  @Max(20)
  ARGON2_TIME_COST = 2;

  @int()
  @IsInt()
  @Min(1)
  @Max(16)
  ARGON2_PARALLELISM = 1;

  @int()
  @IsInt()
  @Min(8)
  @Max(128)
  PASSWORD_MIN_LENGTH = 8;

  @int()
  @IsInt()
  @Min(128)
  @Max(1024)
  PASSWORD_MAX_LENGTH = 128;
}

export interface AuthCoreConfig {
  /** null when AUTH_PROVIDERS is unset. */
  enabledProviders: string[] | null;
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  passwordMinLength: number;
  passwordMaxLength: number;
}

export function loadAuthCoreConfig(env: NodeJS.ProcessEnv = process.env): AuthCoreConfig {
  const values = validateEnv(AuthCoreEnv, env);
  const enabled = values.AUTH_PROVIDERS === undefined ? null : parseList(values.AUTH_PROVIDERS);
  const bad = (enabled ?? []).filter((id) => !/^[a-z][a-z0-9_]{1,48}$/.test(id));
  if (bad.length) throw new ConfigValidationError([`AUTH_PROVIDERS: not provider ids: ${bad.join(', ')}`]);
  return {
    enabledProviders: enabled,
    argon2: { memoryCost: values.ARGON2_MEMORY_KIB, timeCost: values.ARGON2_TIME_COST, parallelism: values.ARGON2_PARALLELISM },
    passwordMinLength: values.PASSWORD_MIN_LENGTH,
    passwordMaxLength: values.PASSWORD_MAX_LENGTH,
  };
}

/** Whether the operator enabled a provider (AUTH_PROVIDERS unset: all built-in ones). */
export function isProviderEnabled(id: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const enabled = loadAuthCoreConfig(env).enabledProviders;
  return enabled === null || enabled.includes(id);
}

export const authCoreConfig = registerAs('authCore', () => loadAuthCoreConfig());
