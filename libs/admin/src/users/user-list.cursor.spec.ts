import { describe, it } from 'node:test';
import { expect } from 'expect';
import { AppError } from '@identity/common';
import { decodeCursor, encodeCursor } from './user-list.cursor';

const id = '019a0000-0000-7000-8000-000000000001';

describe('user list cursor', () => {
  it('round-trips the stored time text of either dialect unchanged', () => {
    for (const createdAt of ['2026-11-22 05:01:08', '2026-11-22 05:01:08.123456', '2026-11-22T05:01:08.123Z']) {
      const encoded = encodeCursor({ createdAt, id });
      expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(encoded)).toEqual({ createdAt, id });
    }
  });

  it('refuses anything it did not produce with 400 invalid_cursor', () => {
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const raw of [
      '',
      '***',
      'bm90IGpzb24',
      forged({ createdAt: '2026-11-22 05:01:08', id }),
      forged(["2026-11-22' OR 1=1", id]),
      forged(['2026-11-22 05:01:08', 'x']),
    ]) {
      try {
        decodeCursor(raw);
        throw new Error(`accepted ${raw}`);
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
        expect(error).toMatchObject({ status: 400, code: 'invalid_cursor' });
      }
    }
  });
});
