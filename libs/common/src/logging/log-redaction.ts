/** What a redacted value is replaced with in a log entry. */
export const LOG_CENSOR = '[redacted]';

/** Fields that hold a credential, a one-time secret or a hash wherever they appear. */
const SECRET_FIELDS = [
  'password',
  'currentPassword',
  'newPassword',
  'otp',
  'recoveryCode',
  'recoveryCodes',
  'accessToken',
  'refreshToken',
  'idToken',
  'id_token',
  'mfaToken',
  'token',
  'exchangeCode',
  'client_secret',
  'passwordHash',
  'codeHash',
  'secret',
  'otpauthUrl',
];

/**
 * `code` is redacted at the top level and inside request-shaped objects only: an error's `code`
 * (ECONNREFUSED, ER_LOCK_DEADLOCK) is what an operator needs to read during an outage.
 */
const CODE_PATHS = ['code', 'body.code', 'query.code', 'params.code', 'payload.code', 'dto.code', 'req.body.code', 'req.query.code'];

/**
 * The one redaction list of the service (pino `redact` paths): secrets a developer passes to a
 * logger, at the top level or one object deep, and the request and response headers that carry
 * credentials. Request bodies and query strings are never logged in the first place; this list
 * is the second line of defence.
 */
export const REDACTED_LOG_PATHS: readonly string[] = [
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]),
  ...CODE_PATHS,
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
];
