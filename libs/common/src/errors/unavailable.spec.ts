import { describe, it } from 'node:test';
import { expect } from 'expect';
import { isDatabaseUnavailable } from './unavailable';
import { toProblem } from './problem.filter';

/** What TypeORM throws around a driver error. */
const queryFailed = (driverError: object) => Object.assign(new Error('Query failed'), { driverError });

describe('database unavailable errors', () => {
  it('recognizes connection failures by code, also inside TypeORM and cause chains', () => {
    for (const code of [
      'ECONNREFUSED',
      'PROTOCOL_CONNECTION_LOST',
      'PROTOCOL_SEQUENCE_TIMEOUT',
      'ER_CON_COUNT_ERROR',
      'ER_SERVER_SHUTDOWN',
    ]) {
      expect(isDatabaseUnavailable(queryFailed({ code }))).toBe(true);
    }
    expect(isDatabaseUnavailable(new Error('transaction failed', { cause: { code: 'ETIMEDOUT' } }))).toBe(true);
  });

  it('recognizes the driver errors that carry only a message or the fatal flag', () => {
    expect(isDatabaseUnavailable(new Error("Can't add new command when connection is in closed state"))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Pool is closed.'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Queue limit reached.'))).toBe(true);
    expect(isDatabaseUnavailable(queryFailed({ code: 'HANDSHAKE_NO_SSL_SUPPORT', fatal: true }))).toBe(true);
  });

  it('leaves statement errors alone: they are bugs or conflicts, not outages', () => {
    expect(isDatabaseUnavailable(queryFailed({ code: 'ER_DUP_ENTRY' }))).toBe(false);
    expect(isDatabaseUnavailable(queryFailed({ code: 'ER_PARSE_ERROR', fatal: false }))).toBe(false);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });

  it('renders them as 503 service_unavailable with Retry-After, never with the driver message', () => {
    const { body, headers } = toProblem(queryFailed({ code: 'PROTOCOL_CONNECTION_LOST', message: 'secret host db-7' }));
    expect(body).toMatchObject({ status: 503, code: 'service_unavailable' });
    expect(JSON.stringify(body)).not.toContain('db-7');
    expect(headers['Retry-After']).toBe('5');
  });
});
