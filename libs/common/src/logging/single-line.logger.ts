import { ConsoleLogger, LogLevel } from '@nestjs/common';

const LINE_BREAKS = /[\r\n\u2028\u2029]/g;
const ESCAPES: Record<string, string> = { '\r': '\\r', '\n': '\\n', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** Writes every line break in a message as a visible escape. */
export function singleLine(text: string): string {
  return text.replace(LINE_BREAKS, (char) => ESCAPES[char]);
}

/**
 * The console logger with one line per message: a value that came from a request (an error
 * message quoting it, say) cannot start a line of its own and pass for another log entry.
 * Stack traces, which come from the code, keep their lines.
 */
export class SingleLineLogger extends ConsoleLogger {
  protected override stringifyMessage(message: unknown, logLevel: LogLevel): string {
    return singleLine(super.stringifyMessage(message, logLevel));
  }
}
