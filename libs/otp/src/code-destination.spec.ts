import { describe, it } from 'node:test';
import { expect } from 'expect';
import { ValidationError } from '@identity/common';
import { codeSent, destinationOf } from './code-destination';

const fieldsOf = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).errors.map((problem) => problem.field);
  }
  throw new Error('expected a validation error');
};

describe('code destinations', () => {
  it('normalizes an email to lower case and a phone number to E.164', () => {
    expect(destinationOf({ email: 'Ada.Lovelace@Example.COM' })).toEqual({ channel: 'email', address: 'ada.lovelace@example.com' });
    expect(destinationOf({ phone: '+49 151 1234 5678' })).toEqual({ channel: 'sms', address: '+4915112345678' });
  });

  it('wants exactly one of email or phone, and a phone number it can read', () => {
    expect(fieldsOf(() => destinationOf({}))).toEqual(['email']);
    expect(fieldsOf(() => destinationOf({ email: 'a@example.com', phone: '+4915112345678' }))).toEqual(['email']);
    expect(fieldsOf(() => destinationOf({ phone: '015112345678' }))).toEqual(['phone']);
    expect(fieldsOf(() => destinationOf({ phone: '+49 123' }))).toEqual(['phone']);
  });

  it('answers with the destination masked', () => {
    const expiresAt = new Date('2026-01-01T12:10:00Z');
    expect(codeSent({ channel: 'email', address: 'ada.lovelace@example.com' }, expiresAt)).toEqual({
      destination: 'a*****e@example.com',
      channel: 'email',
      expiresAt: '2026-01-01T12:10:00.000Z',
    });
    expect(codeSent({ channel: 'sms', address: '+4915112345678' }, expiresAt).destination).toBe('+49*********78');
  });
});
