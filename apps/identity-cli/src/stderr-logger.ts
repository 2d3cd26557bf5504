import { ConsoleLogger, LogLevel } from '@nestjs/common';

/**
 * Nest's console logger writing to stderr, so stdout carries only command results.
 *
 * Without the error level: a failure reaches the operator once, as the command's own message.
 * Nest would also log the error object itself, and a database error object carries its query
 * parameters, which can include a password hash.
 */
export class StderrLogger extends ConsoleLogger {
  constructor() {
    super({ logLevels: ['fatal', 'warn'] });
  }

  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    _writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
    params?: Record<string, unknown>,
  ): void {
    super.printMessages(messages, context, logLevel, 'stderr', errorStack, params);
  }
}
