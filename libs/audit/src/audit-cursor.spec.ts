import { describe, it } from 'node:test';
import { expect } from 'expect';
import { AppError } from '@identity/common';
import { decodeCursor, encodeCursor } from './audit-cursor';

describe('audit cursor', () => {
  const cursor = { createdAt: new Date('2026-01-02T03:04:05.678Z'), id: '01a201a5-6253-7480-a258-3c360c008637' };

  it('round-trips (created_at, id) through an opaque base64url string', () => {
    const encoded = encodeCursor(cursor);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(encoded)).toEqual(cursor);
  });

  it('refuses anything that is not a cursor it made, as a 400 invalid_cursor', () => {
    const bad = [
      '',
      'not base64!',
      Buffer.from('hello').toString('base64url'),
      Buffer.from('2026-13-45T00:00:00.000Z|01a201a5-6253-7480-a258-3c360c008637').toString('base64url'),
      Buffer.from('2026-01-02T03:04:05.678Z|x').toString('base64url'),
      Buffer.from(`2026-01-02T03:04:05.678Z|${cursor.id}|extra`).toString('base64url'),
      'A'.repeat(300),
    ];
    for (const value of bad) {
      let error: unknown;
      try {
        decodeCursor(value);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ status: 400, code: 'invalid_cursor' });
    }
  });
});
