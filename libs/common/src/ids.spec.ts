import { describe, it } from 'node:test';
import { expect } from 'expect';
import { newId } from './ids';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newId', () => {
  it('makes RFC 9562 version 7 UUIDs whose first 48 bits are the time in milliseconds', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    expect(id).toMatch(UUID_V7);
    const millis = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    expect(millis).toBeGreaterThanOrEqual(before);
    expect(millis).toBeLessThanOrEqual(after);
  });

  it('sorts ids of later milliseconds after earlier ones, and never repeats', async () => {
    const first = newId();
    await new Promise((resolve) => setTimeout(resolve, 2));
    expect(newId() > first).toBe(true);
    const many = Array.from({ length: 10_000 }, newId);
    expect(new Set(many).size).toBe(many.length);
    expect(many.every((id) => UUID_V7.test(id))).toBe(true);
  });
});
