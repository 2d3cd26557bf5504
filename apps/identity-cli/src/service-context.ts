import { INestApplicationContext, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AccountsModule } from './accounts.module';
import { StderrLogger } from './stderr-logger';

/**
 * Runs `work` with the service's modules started (no HTTP, no schedules) and closes them
 * afterwards, also when it fails.
 */
export async function withServices<T>(work: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  const app = await NestFactory.createApplicationContext(AccountsModule.register(), { logger: new StderrLogger(), abortOnError: false });
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

/** A provider from whichever module has it, or undefined when that module is not mounted (a disabled login method). */
export function optionalService<T>(app: INestApplicationContext, type: Type<T>): T | undefined {
  try {
    return app.get(type, { strict: false });
  } catch {
    return undefined;
  }
}
