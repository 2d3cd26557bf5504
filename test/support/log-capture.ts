import { LoggerService } from '@nestjs/common';
import { PinoNestLogger } from '@identity/common';
import { TestApp } from './test-app';

export interface LogCapture {
  /** Every message written since the capture started, with its level and context. */
  lines: string[];
}

/**
 * Copies everything the application logs, at every level, into memory for the rest of the app's
 * life, so a spec can assert what never appears in a log. Entries still reach the app's own
 * logger too, so the log canary of the run sees them.
 */
export function captureLogs(t: TestApp): LogCapture {
  const lines: string[] = [];
  const logger = t.app.get(PinoNestLogger);
  const record =
    (level: keyof LoggerService & keyof PinoNestLogger) =>
    (...parts: unknown[]) => {
      lines.push(`${level} ${parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' ')}`);
      logger[level](parts[0], ...parts.slice(1));
    };
  const capture: LoggerService = {
    log: record('log'),
    error: record('error'),
    warn: record('warn'),
    debug: record('debug'),
    verbose: record('verbose'),
    fatal: record('fatal'),
  };
  t.app.useLogger(capture);
  return { lines };
}
