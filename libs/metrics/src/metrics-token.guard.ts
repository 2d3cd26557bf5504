import { CanActivate, ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '@identity/common';
import { metricsConfig } from './metrics.config';

/**
 * Compares digests rather than the strings: timingSafeEqual needs equal lengths, and comparing
 * fixed-size hashes keeps the token's length from showing in the timing too.
 */
export function tokenMatches(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/** The bearer token of an Authorization header, or undefined. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

const refused = () =>
  new AppError(
    HttpStatus.UNAUTHORIZED,
    'metrics_token_invalid',
    'Metrics token required',
    'GET /metrics needs the configured bearer token.',
    {},
    {
      'WWW-Authenticate': 'Bearer realm="metrics"',
    },
  );

/** Lets a scrape through when no METRICS_TOKEN is set, or when it presents that token. */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  constructor(@Inject(metricsConfig.KEY) private readonly config: ConfigType<typeof metricsConfig>) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.token;
    if (!expected) return true;
    const presented = bearerToken(
      context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>().headers.authorization,
    );
    if (presented === undefined || !tokenMatches(presented, expected)) throw refused();
    return true;
  }
}
