import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches } from 'class-validator';
import { ConfigValidationError, DURATION_PATTERN, parseDuration, parseList, validateEnv } from '@identity/common';

/** Schemes that run code or read local data in a browser: never a return target. */
const DANGEROUS_SCHEMES = ['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:'];

/** Bounds of OAUTH_STATE_TTL: time enough to sign in at the provider, short enough to be useless when stolen. */
const STATE_TTL_MIN = 60;
const STATE_TTL_MAX = 3600;

class RedirectEnv {
  @IsOptional()
  @IsString()
  REDIRECT_ALLOWLIST?: string;

  @Transform(({ value }) => String(value))
  @Matches(DURATION_PATTERN, { message: 'OAUTH_STATE_TTL must be a duration such as 600, 10m' })
  OAUTH_STATE_TTL = '600';
}

export interface RedirectConfig {
  /** Client URLs a redirect sign-in may return to, compared as exact strings. */
  allowlist: string[];
  /** How long a started redirect sign-in may take to come back, in seconds. */
  stateTtlSeconds: number;
  /** One-time codes handed to the client live this long (seconds). */
  exchangeCodeTtlSeconds: number;
}

/**
 * Why an allow-list entry is unsafe, or null. Web clients use http(s) URLs; native apps use a
 * private scheme (`com.example.app:/oauth`). Entries carry no credentials and no fragment: the
 * code is appended as a query parameter, and a fragment would hide it from the client's server.
 */
export function redirectEntryProblem(entry: string): string | null {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return 'is not an absolute URL';
  }
  if (DANGEROUS_SCHEMES.includes(url.protocol)) return `uses the ${url.protocol} scheme`;
  if ((url.protocol === 'http:' || url.protocol === 'https:') && !url.hostname) return 'has no host';
  if (url.username || url.password) return 'carries credentials';
  if (url.hash || entry.includes('#')) return 'has a fragment';
  return null;
}

export function loadRedirectConfig(env: NodeJS.ProcessEnv = process.env): RedirectConfig {
  const values = validateEnv(RedirectEnv, env);
  const allowlist = parseList(values.REDIRECT_ALLOWLIST);
  const problems = allowlist.flatMap((entry) => {
    const problem = redirectEntryProblem(entry);
    return problem ? [`REDIRECT_ALLOWLIST: ${JSON.stringify(entry)} ${problem}`] : [];
  });
  const stateTtlSeconds = parseDuration(values.OAUTH_STATE_TTL);
  if (stateTtlSeconds < STATE_TTL_MIN || stateTtlSeconds > STATE_TTL_MAX)
    problems.push(`OAUTH_STATE_TTL must be between ${STATE_TTL_MIN} seconds and ${STATE_TTL_MAX / 60} minutes`);
  if (problems.length) throw new ConfigValidationError(problems);
  return { allowlist, stateTtlSeconds, exchangeCodeTtlSeconds: 60 };
}

/** Whether a client-supplied return URL is allowed: an exact match, nothing looser. */
export function isAllowedRedirect(config: RedirectConfig, candidate: unknown): candidate is string {
  return typeof candidate === 'string' && config.allowlist.includes(candidate);
}

export const redirectConfig = registerAs('redirect', () => loadRedirectConfig());
