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
    const fields: Record<string, unknown> = {};
    // Nest's Logger pads a missing argument with undefined before the context it appends.
    const rest = params.slice(0, -1).filter((param) => param !== undefined);
    if (params.length) fields.context = params[params.length - 1];
    const write = this.pino[level].bind(this.pino) as (fields: object, ...rest: unknown[]) => void;
    if (message instanceof Error) fields.err = message;
    else if (message && typeof message === 'object') Object.assign(fields, message);
    else if (isStackTrace(level, rest)) {
      // Nest's exception handlers call error(message, stack, context).
      fields.err = Object.assign(new Error(String(message)), { stack: rest[0] });
      return write(fields);
    } else return write(fields, String(message), ...rest);
    write(fields, ...rest);
  }
}

function isStackTrace(level: Level, rest: unknown[]): boolean {
  return level === 'error' && rest.length === 1 && typeof rest[0] === 'string' && /\n\s*at /.test(rest[0]);
}
