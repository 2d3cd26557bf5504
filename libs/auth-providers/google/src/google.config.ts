import { registerAs } from '@nestjs/config';
import { ConfigValidationError } from '@identity/common';
import { OAuthEnv, readOAuthEnv } from '@identity/auth-core';

/** Google's published endpoints; tests point GOOGLE_*_URL and GOOGLE_ISSUER at a local server. */
const GOOGLE_ENDPOINTS = {
  authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  tokenUrl: 'https://oauth2.googleapis.com/token',
  userinfoUrl: 'https://openidconnect.googleapis.com/v1/userinfo',
  jwksUrl: 'https://www.googleapis.com/oauth2/v3/certs',
  // Google signs ID tokens with either form of its issuer.
  issuers: ['https://accounts.google.com', 'accounts.google.com'],
};

export type GoogleConfig = OAuthEnv;

export function loadGoogleConfig(env: NodeJS.ProcessEnv = process.env): GoogleConfig {
  const { config, problems } = readOAuthEnv('GOOGLE', 'google', GOOGLE_ENDPOINTS, env);
  if (Boolean(config.clientId) !== Boolean(config.clientSecret))
    problems.push('GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET: set both or neither');
  if (problems.length) throw new ConfigValidationError(problems);
  return config;
}

export const googleConfig = registerAs('google', () => loadGoogleConfig());
