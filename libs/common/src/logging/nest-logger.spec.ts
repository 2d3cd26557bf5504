import { describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { expect } from 'expect';
import { createAppLogger } from './app-logger';
import { PinoNestLogger } from './nest-logger';

/** The entries written through a PinoNestLogger while `write` runs, parsed. */
function entries(write: (logger: PinoNestLogger) => void, level = 'debug'): Record<string, unknown>[] {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      callback();
    },
  });
  write(new PinoNestLogger(createAppLogger({ level, format: 'json', destination })));
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('Nest logging through pino', () => {
  it('takes the context Nest appends, with or without other arguments', () => {
    const written = entries((logger) => {
      logger.log('started', 'Bootstrap');
      logger.warn('slow', undefined, 'Outbox');
      logger.debug('plain');
    });
    expect(written).toEqual([
      expect.objectContaining({ level: 'info', context: 'Bootstrap', msg: 'started' }),
      expect.objectContaining({ level: 'warn', context: 'Outbox', msg: 'slow' }),
      expect.objectContaining({ level: 'debug', msg: 'plain' }),
    ]);
    expect(written[2]).not.toHaveProperty('context');
  });

  it('writes an object as fields and an Error as err', () => {
    const [fields, failure] = entries((logger) => {
      logger.log({ msg: 'fields', count: 2 }, 'Spec');
      logger.error(new Error('boom'), 'Spec');
    });
    expect(fields).toMatchObject({ context: 'Spec', msg: 'fields', count: 2 });
    expect(failure).toMatchObject({ level: 'error', context: 'Spec', err: { message: 'boom' } });
  });

  it("keeps the stack of Nest's exception handlers, which pass it as a second argument", () => {
    const stack = 'Error: boom\n    at handler (file.js:1:1)';
    const [entry] = entries((logger) => logger.error('Unhandled', stack, 'ExceptionsHandler'));
    expect(entry).toMatchObject({ context: 'ExceptionsHandler', err: { message: 'Unhandled', stack } });
  });

  it("serves Nest's Logger class, and writes nothing below the level", () => {
    const written = entries((logger) => {
      Logger.overrideLogger(logger);
      new Logger('Feature').log('through Nest');
      new Logger('Feature').debug('too detailed');
      Logger.overrideLogger(false);
    }, 'info');
    expect(written).toEqual([expect.objectContaining({ context: 'Feature', msg: 'through Nest' })]);
  });
});
