import { AppError, ConfigValidationError, ValidationError } from '@identity/common';

/** A failure the operator can act on; its message is printed as is. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/**
 * One readable message per failure. Only messages are printed, never error objects: a database
 * error carries its query parameters, which may include a password hash.
 */
export function describeError(error: unknown): string {
  if (error instanceof ValidationError) {
    return [`${error.code}:`, ...error.errors.flatMap((field) => field.messages.map((message) => `  - ${message}`))].join('\n');
  }
  if (error instanceof AppError) return `${error.code}: ${error.detail ?? error.title}`;
  if (error instanceof CliError || error instanceof ConfigValidationError) return error.message;
  if (error instanceof Error) return `error: ${error.message}`;
  return `error: ${String(error)}`;
}
