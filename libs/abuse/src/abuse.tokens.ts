/** The AttemptCounter the lockout uses: Redis (with a memory fallback) or this instance's memory. */
export const ATTEMPT_COUNTER = Symbol('ATTEMPT_COUNTER');
/** The Redis client of this library, when REDIS_URL is set. */
export const ABUSE_REDIS = Symbol('ABUSE_REDIS');
