import { describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { expect } from 'expect';
import { createAppLogger, LogFormat } from './app-logger';
import { LOG_CENSOR } from './log-redaction';
import { singleLine } from './single-line';

const FORGED = 'user a@example.com\r\n[12:00:00.000] INFO: forged entry\u2028more';

function logged(format: LogFormat, write: (logger: ReturnType<typeof createAppLogger>) => void): string[] {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  write(createAppLogger({ level: 'debug', format, destination }));
  return chunks.join('').split('\n').filter(Boolean);
}

describe('application logger', () => {
  it('escapes every kind of line break', () => {
    expect(singleLine(FORGED)).toBe('user a@example.com\\r\\n[12:00:00.000] INFO: forged entry\\u2028more');
    expect(singleLine('plain')).toBe('plain');
  });

  it('writes one JSON line per entry, whatever the message holds, so input cannot forge an entry', () => {
    const lines = logged('json', (logger) => logger.info({ context: 'Spec' }, FORGED));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'info', context: 'Spec', msg: FORGED });
  });

  it('keeps a pretty message on its line too', () => {
    const lines = logged('pretty', (logger) => logger.info({ context: 'Spec' }, FORGED));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('INFO');
    expect(lines[0]).toContain('[Spec] user a@example.com\\r\\n[12:00:00.000] INFO: forged entry\\u2028more');
  });

  it('shows a request line on one line in pretty form', () => {
    const line = { reqId: 'r-1', method: 'GET', route: '/api/v1/me', path: '/api/v1/me', status: 200, durationMs: 3.5 };
    const lines = logged('pretty', (logger) => logger.info(line, 'request completed'));
    expect(lines[0]).toContain('request completed GET /api/v1/me 200 3.5 ms');
    expect(lines.slice(1)).toEqual([expect.stringContaining('reqId: "r-1"')]);
  });

  it('takes Nest level names', () => {
    const lines = logged('json', (logger) => {
      expect(logger.level).toBe('debug');
      logger.trace('hidden');
      logger.debug('shown');
    });
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(['shown']);
    expect(createAppLogger({ level: 'log', format: 'json', destination: new Writable() }).level).toBe('info');
    expect(createAppLogger({ level: 'verbose', format: 'json', destination: new Writable() }).level).toBe('trace');
  });

  it('redacts secrets a caller passes, top level or one object deep, and credential headers', () => {
    const lines = logged('json', (logger) =>
      logger.info(
        {
          password: 'hunter2hunter2',
          body: { refreshToken: 'r'.repeat(43), code: '123456', displayName: 'Ada' },
          req: { headers: { authorization: 'Bearer a.b.c', cookie: 'sid=1', accept: 'application/json' } },
          res: { headers: { 'set-cookie': 'sid=2' } },
          err: { code: 'ECONNREFUSED' },
        },
        'entry',
      ),
    );
    const entry = JSON.parse(lines[0]);
    expect(entry.password).toBe(LOG_CENSOR);
    expect(entry.body).toEqual({ refreshToken: LOG_CENSOR, code: LOG_CENSOR, displayName: 'Ada' });
    expect(entry.req.headers).toEqual({ authorization: LOG_CENSOR, cookie: LOG_CENSOR, accept: 'application/json' });
    expect(entry.res.headers['set-cookie']).toBe(LOG_CENSOR);
    // An error's code is what an operator reads during an outage.
    expect(entry.err.code).toBe('ECONNREFUSED');
  });
});
