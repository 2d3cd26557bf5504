import pino, { DestinationStream, Level, Logger } from 'pino';
import pretty from 'pino-pretty';
import { requestContext } from '../http/request-context';
import { LOG_CENSOR, REDACTED_LOG_PATHS } from './log-redaction';
import { singleLine } from './single-line';

export type LogFormat = 'json' | 'pretty';

export interface AppLoggerOptions {
  /** A LOG_LEVEL value: Nest's names (`log`, `verbose`) or pino's. */
  level: string;
  format: LogFormat;
  /** Where entries go; stdout when absent. The pretty format needs a Node stream here. */
  destination?: DestinationStream;
}

const NEST_TO_PINO: Record<string, Level> = { log: 'info', verbose: 'trace' };

export function pinoLevel(level: string): Level {
  return NEST_TO_PINO[level] ?? (level as Level);
}

/**
 * The service's one pino logger: JSON lines with redaction, or the same entries made readable
 * for a developer's terminal.
 */
export function createAppLogger(options: AppLoggerOptions): Logger {
  const settings = {
    level: pinoLevel(options.level),
    redact: { paths: [...REDACTED_LOG_PATHS], censor: LOG_CENSOR },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    // Entries written while serving a request carry its id. A fresh object each time: pino
    // merges the entry's own fields into it.
    mixin: () => {
      const request = requestContext.current();
      return request ? { reqId: request.requestId } : {};
    },
  };
  if (options.format === 'pretty') return pino(settings, prettyStream(options.destination));
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/**
 * JSON escapes line breaks by itself; the pretty format prints the message as it is, so a value
 * from a request (an error message quoting it, say) could start a line that passes for another
 * entry. Messages are kept on one line; stacks and fields stay indented under their entry.
 */
function prettyStream(destination?: DestinationStream): DestinationStream {
  return pretty({
    destination,
    sync: true,
    colorize: !destination && Boolean(process.stdout.isTTY),
    ignore: `pid,hostname,context,${REQUEST_FIELDS.join(',')}`,
    messageFormat: (log, messageKey) => singleLine(prettyMessage(log, messageKey)),
  });
}

/**
 * Fields of the request line (see request-log.ts), which its pretty message sums up on one line;
 * no other entry of the service uses these names.
 */
const REQUEST_FIELDS = ['method', 'route', 'path', 'status', 'durationMs'];

function prettyMessage(log: Record<string, unknown>, messageKey: string): string {
  const context = typeof log.context === 'string' ? `[${log.context}] ` : '';
  const isRequestLine = typeof log.durationMs === 'number' && typeof log.status === 'number';
  const request = isRequestLine ? ` ${String(log.method)} ${String(log.path)} ${log.status} ${log.durationMs} ms` : '';
  return `${context}${String(log[messageKey] ?? '')}${request}`;
}
