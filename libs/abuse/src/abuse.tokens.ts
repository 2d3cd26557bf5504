/** The AttemptCounter the lockout uses: Redis (with a memory fallback) or this instance's memory. */
export const ATTEMPT_COUNTER = Symbol('ATTEMPT_COUNTER');
