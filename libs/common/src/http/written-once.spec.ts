import { describe, it } from 'node:test';
import { expect } from 'expect';
import { serializeReply, writtenOnce } from './written-once';

describe('JSON written once', () => {
  it('answers with the JSON written when the value was registered, and the value cannot change', () => {
    const view = writtenOnce({ id: 'u1', roles: ['user'], profile: { colour: 'blue' } });
    expect(serializeReply(view)).toBe('{"id":"u1","roles":["user"],"profile":{"colour":"blue"}}');
    expect(() => view.roles.push('admin')).toThrow(TypeError);
    expect(() => {
      (view.profile as Record<string, string>).colour = 'red';
    }).toThrow(TypeError);
    expect(serializeReply(view)).toBe(JSON.stringify(view));
  });

  it('serializes any other value as JSON.stringify does', () => {
    const equal = { id: 'u1', roles: ['user'], profile: { colour: 'blue' } };
    expect(serializeReply(equal)).toBe(JSON.stringify(equal));
    for (const value of [null, 0, 'text', [1, { a: 2 }], { at: new Date(0) }]) expect(serializeReply(value)).toBe(JSON.stringify(value));
  });
});
