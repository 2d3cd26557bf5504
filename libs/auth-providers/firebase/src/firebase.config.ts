import { accessSync, constants } from 'node:fs';
import { registerAs } from '@nestjs/config';
import { IsOptional, IsString, Matches } from 'class-validator';
import { ConfigValidationError, isProduction, validateEnv } from '@identity/common';

class FirebaseEnv {
  /** Firebase project ids: 6-30 lowercase letters, digits and hyphens. */
  @IsOptional()
  @Matches(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, { message: 'FIREBASE_PROJECT_ID must be a Firebase project id such as my-app-1234' })
  FIREBASE_PROJECT_ID?: string;

  @IsOptional()
  @IsString()
  FIREBASE_CREDENTIALS_FILE?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, { message: 'FIREBASE_AUTH_EMULATOR_HOST must be host:port' })
  FIREBASE_AUTH_EMULATOR_HOST?: string;
}

export interface FirebaseConfig {
  /** Unset: the method is not configured and mounts as unavailable. */
  projectId: string | null;
  /** A service-account JSON; without it firebase-admin falls back to Application Default Credentials. */
  credentialsFile: string | null;
  /** Set only in development and tests: the emulator's tokens are unsigned. */
  emulatorHost: string | null;
}

export function loadFirebaseConfig(env: NodeJS.ProcessEnv = process.env): FirebaseConfig {
  const values = validateEnv(FirebaseEnv, env);
  const problems: string[] = [];
  if (values.FIREBASE_CREDENTIALS_FILE && !readable(values.FIREBASE_CREDENTIALS_FILE))
    problems.push('FIREBASE_CREDENTIALS_FILE: the file does not exist or is not readable');
  // The emulator accepts tokens anyone can write; a production service must never trust them.
  if (values.FIREBASE_AUTH_EMULATOR_HOST && isProduction(env))
    problems.push('FIREBASE_AUTH_EMULATOR_HOST must not be set in production (emulator tokens are unsigned)');
  if (values.FIREBASE_CREDENTIALS_FILE && !values.FIREBASE_PROJECT_ID) problems.push('FIREBASE_CREDENTIALS_FILE needs FIREBASE_PROJECT_ID');
  if (problems.length) throw new ConfigValidationError(problems);
  return {
    projectId: values.FIREBASE_PROJECT_ID ?? null,
    credentialsFile: values.FIREBASE_CREDENTIALS_FILE ?? null,
    emulatorHost: values.FIREBASE_AUTH_EMULATOR_HOST ?? null,
  };
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

export const firebaseConfig = registerAs('firebase', () => loadFirebaseConfig());
