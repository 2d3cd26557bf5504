import { LoggerService } from '@nestjs/common';
import { TestApp } from './test-app';

export interface LogCapture {
  /** Every message written since the capture started, with its level and context. */
  lines: string[];
}

/**
 * Routes everything the application logs, at every level, into memory for the rest of the app's
 * life, so a spec can assert what never appears in a log.
 */
export function captureLogs(t: TestApp): LogCapture {
  const lines: string[] = [];
  const record =
    (level: string) =>
    (...parts: unknown[]) =>
      void lines.push(`${level} ${parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' ')}`);
  const logger: LoggerService = {
    log: record('log'),
    error: record('error'),
    warn: record('warn'),
    debug: record('debug'),
    verbose: record('verbose'),
    fatal: record('fatal'),
  };
  t.app.useLogger(logger);
  return { lines };
}
