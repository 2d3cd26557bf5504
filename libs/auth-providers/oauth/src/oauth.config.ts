import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { registerAs } from '@nestjs/config';
import { ConfigValidationError } from '@identity/common';
import { OAuthEnv, readOAuthEnv } from '@identity/auth-core';
import { APPLE, FACEBOOK, OAuthProviderProfile } from './oauth-providers';

/** What Apple needs to sign its client secret itself (ES256, see apple-client-secret.ts). */
export interface AppleSigningKey {
  teamId: string;
  keyId: string;
  /** PKCS #8 PEM of the key downloaded from Apple. */
  privateKeyPem: string;
}

export interface OAuthProvidersConfig {
  facebook: OAuthEnv;
  apple: OAuthEnv & { signingKey: AppleSigningKey | null };
}

function read(profile: OAuthProviderProfile, env: NodeJS.ProcessEnv, problems: string[]): OAuthEnv {
  const result = readOAuthEnv(profile.envPrefix, profile.id, profile.endpoints, env);
  problems.push(...result.problems);
  return result.config;
}

/** APPLE_TEAM_ID, APPLE_KEY_ID and APPLE_PRIVATE_KEY_FILE: all or none, and a readable EC key. */
function appleSigningKey(env: NodeJS.ProcessEnv, problems: string[]): AppleSigningKey | null {
  const teamId = env.APPLE_TEAM_ID?.trim();
  const keyId = env.APPLE_KEY_ID?.trim();
  const file = env.APPLE_PRIVATE_KEY_FILE?.trim();
  if (!teamId && !keyId && !file) return null;
  if (!teamId || !keyId || !file) {
    problems.push('APPLE_TEAM_ID, APPLE_KEY_ID and APPLE_PRIVATE_KEY_FILE: set all three or none');
    return null;
  }
  try {
    const privateKeyPem = readFileSync(file, 'utf8');
    const key = createPrivateKey(privateKeyPem);
    if (key.asymmetricKeyType !== 'ec') throw new Error('not an EC key');
    return { teamId, keyId, privateKeyPem };
  } catch (error) {
    problems.push(`APPLE_PRIVATE_KEY_FILE: cannot use ${JSON.stringify(file)} as Apple's P-256 key (${(error as Error).message})`);
    return null;
  }
}

export function loadOAuthProvidersConfig(env: NodeJS.ProcessEnv = process.env): OAuthProvidersConfig {
  const problems: string[] = [];
  const facebook = read(FACEBOOK, env, problems);
  if (Boolean(facebook.clientId) !== Boolean(facebook.clientSecret))
    problems.push('FACEBOOK_CLIENT_ID and FACEBOOK_CLIENT_SECRET: set both or neither');
  const apple = { ...read(APPLE, env, problems), signingKey: appleSigningKey(env, problems) };
  if (apple.clientSecret && apple.signingKey)
    problems.push('APPLE_CLIENT_SECRET and APPLE_TEAM_ID/APPLE_KEY_ID/APPLE_PRIVATE_KEY_FILE: give one way to the client secret');
  if (!apple.clientId && (apple.clientSecret || apple.signingKey))
    problems.push('APPLE_CLIENT_ID: required with an Apple client secret or key');
  if (problems.length) throw new ConfigValidationError(problems);
  return { facebook, apple };
}

export const oauthProvidersConfig = registerAs('oauthProviders', () => loadOAuthProvidersConfig());
