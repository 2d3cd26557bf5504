import { Logger } from '@nestjs/common';

/**
 * Node exits on a promise rejection nobody handles. Here such a rejection is logged as an error
 * and the process keeps serving: the work it belonged to has already failed, nothing synchronous
 * was left half-done, and exiting would turn a database or Redis blip that surfaces through some
 * unawaited driver callback into every instance dying at once, dropping all in-flight requests,
 * and then failing to boot until the dependency is back. A thrown exception that nobody catches
 * still ends the process (Node's default), since it may leave memory half-updated.
 */
export function keepRunningOnUnhandledRejection(logger = new Logger('Process')): void {
  process.on('unhandledRejection', (reason) => {
    const text = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
    logger.error(`unhandled promise rejection (process kept running): ${text}`);
  });
}
