import { registerAs } from '@nestjs/config';
import { IsEmail, IsOptional, IsString, MaxLength } from 'class-validator';
import { ConfigValidationError, validateEnv } from '@identity/common';

class LocalEnv {
  @IsOptional()
  @IsEmail()
  ADMIN_EMAIL?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  ADMIN_PASSWORD?: string;
}

export interface LocalConfig {
  /** Bootstrap admin, created once on boot when absent. */
  admin?: { email: string; password: string };
}

export function loadLocalConfig(env: NodeJS.ProcessEnv = process.env): LocalConfig {
  const values = validateEnv(LocalEnv, env);
  if (Boolean(values.ADMIN_EMAIL) !== Boolean(values.ADMIN_PASSWORD)) {
    throw new ConfigValidationError(['ADMIN_EMAIL and ADMIN_PASSWORD: set both or neither']);
  }
  return { admin: values.ADMIN_EMAIL ? { email: values.ADMIN_EMAIL, password: values.ADMIN_PASSWORD! } : undefined };
}

export const localConfig = registerAs('local', () => loadLocalConfig());
