import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiProblems } from '@identity/common';
import { RateLimitFamily } from './abuse.config';

export const RATE_LIMIT_FAMILY = 'identity:rate-limit-family';

/**
 * Puts a route under the limits of a family (RATE_LIMIT_<FAMILY>): per client IP, per account
 * identifier named in the body, and per (IP, identifier). Providers declare it on their routes;
 * it also documents the 429 answer.
 */
export const RateLimit = (family: RateLimitFamily) => applyDecorators(SetMetadata(RATE_LIMIT_FAMILY, family), ApiProblems(429));
