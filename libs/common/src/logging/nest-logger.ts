import { LoggerService } from '@nestjs/common';
import { Level, Logger } from 'pino';

/**
 * Nest's logging (its own and every `new Logger(context)` of the service) written through the
 * application's pino logger. Nest passes the context as the last argument; an object message
 * becomes the entry's fields, an Error its `err`.
 */
export class PinoNestLogger implements LoggerService {
  constructor(readonly pino: Logger) {}

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    // Nest's Logger appends the context, padding a missing argument with undefined before it.
    const fields: Record<string, unknown> = params.length ? { context: params[params.length - 1] } : {};
    const rest = params.slice(0, -1).filter((param) => param !== undefined);
    const write = this.pino[level].bind(this.pino) as (fields: object, ...rest: unknown[]) => void;
    if (message instanceof Error) write({ ...fields, err: message }, ...rest);
    else if (message && typeof message === 'object') write({ ...fields, ...message }, ...rest);
    // Nest's exception handlers call error(message, stack, context).
    else if (isStackTrace(level, rest)) write({ ...fields, err: Object.assign(new Error(String(message)), { stack: rest[0] }) });
    else write(fields, String(message), ...rest);
  }
}

function isStackTrace(level: Level, rest: unknown[]): boolean {
  return level === 'error' && rest.length === 1 && typeof rest[0] === 'string' && /\n\s*at /.test(rest[0]);
}
