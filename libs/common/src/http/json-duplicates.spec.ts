import { describe, it } from 'node:test';
import { expect } from 'expect';
import { firstDuplicateKey } from './json-duplicates';

describe('duplicate JSON member names', () => {
  it('finds a name given twice in one object, at any depth', () => {
    expect(firstDuplicateKey('{"role":"user","role":"admin"}')).toBe('role');
    expect(firstDuplicateKey('{"a":{"b":1,"b":2}}')).toBe('b');
    expect(firstDuplicateKey('[{"x":1},{"y":1,"y":2}]')).toBe('y');
    // Escapes spell the same name differently.
    expect(firstDuplicateKey('{"role":1,"r\\u006fle":2}')).toBe('role');
  });

  it('lets equal names in different objects, and names inside values, through', () => {
    expect(firstDuplicateKey('{"a":{"id":1},"b":{"id":2}}')).toBeNull();
    expect(firstDuplicateKey('{"a":"\\"a\\":1,","b":["a","a"]}')).toBeNull();
    expect(firstDuplicateKey('{"profile":{"k":"v"},"k":"v"}')).toBeNull();
    expect(firstDuplicateKey('[1,2,"x"]')).toBeNull();
  });
});
