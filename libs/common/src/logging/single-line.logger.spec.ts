import { describe, it } from 'node:test';
import { expect } from 'expect';
import { SingleLineLogger, singleLine } from './single-line.logger';

describe('single-line logging', () => {
  it('escapes every kind of line break, so input cannot forge a log entry', () => {
    expect(singleLine('user a@example.com\r\n[Nest] 1 - LOG forged entry')).toBe('user a@example.com\\r\\n[Nest] 1 - LOG forged entry');
    expect(singleLine('a\u2028b\u2029c')).toBe('a\\u2028b\\u2029c');
    expect(singleLine('plain')).toBe('plain');
  });

  it('writes one line per message', () => {
    const written: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof process.stdout.write;
    try {
      new SingleLineLogger('Spec', { colors: false }).log('first\nsecond');
    } finally {
      process.stdout.write = original;
    }
    expect(written).toHaveLength(1);
    expect(written[0].trimEnd().split('\n')).toHaveLength(1);
    expect(written[0]).toContain('first\\nsecond');
  });
});
