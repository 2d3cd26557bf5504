/**
 * Codes of driver and network errors that mean the database (or the way to it) is not answering:
 * the request may well succeed in a moment, so the client gets 503 with Retry-After rather than
 * an opaque 500.
 */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  // The statement outlived DATABASE_QUERY_TIMEOUT_MS; the driver dropped the connection.
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  // No pooled connection came free within DATABASE_ACQUIRE_TIMEOUT_MS.
  'POOL_ACQUIRE_TIMEOUT',
  'SQLITE_BUSY',
]);

/** The same condition where the driver gives no code, only a message. */
const CONNECTION_MESSAGES = [
  /Pool is closed/i,
  /connection is in closed state/i,
  /Queue limit reached/i,
  /Connection is not established/i,
  /Connection lost/i,
];

interface DriverFailure {
  code?: unknown;
  fatal?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
}

/**
 * True when `error`, or what it wraps (TypeORM's `driverError`, an `Error.cause`), says the
 * database connection failed rather than the statement.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const failure = error as DriverFailure;
  if (typeof failure.code === 'string' && CONNECTION_CODES.has(failure.code)) return true;
  // mysql2 marks errors after which the connection is unusable as fatal.
  if (failure.fatal === true) return true;
  if (typeof failure.message === 'string' && CONNECTION_MESSAGES.some((pattern) => pattern.test(failure.message as string))) return true;
  return isDatabaseUnavailable(failure.driverError, depth + 1) || isDatabaseUnavailable(failure.cause, depth + 1);
}
