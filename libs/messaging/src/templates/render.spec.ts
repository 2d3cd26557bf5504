import { describe, it } from 'node:test';
import { expect } from 'expect';
import { CODE_PURPOSES } from '../outgoing-message';
import { renderEmail, renderSms } from './render';

describe('message templates', () => {
  it('words each code purpose differently, with the code, expiry and safety tip in both parts', () => {
    const subjects = new Set<string>();
    for (const purpose of CODE_PURPOSES) {
      const email = renderEmail('otp_code', { code: '123456', purpose, expiresInMinutes: 10, displayName: 'Grace' }, 'Acme');
      subjects.add(email.subject);
      for (const part of [email.text, email.html]) {
        expect(part).toContain('123456');
        expect(part).toContain('expires in 10 minutes');
        expect(part).toContain('Never share this code');
        expect(part).toContain('Hello Grace,');
      }
      expect(email.subject.startsWith('Acme: ')).toBe(true);
    }
    expect(subjects.size).toBe(CODE_PURPOSES.length);
  });

  it('escapes every value placed in HTML and keeps styles inline', () => {
    const email = renderEmail('account_exists', { displayName: '<script>alert(1)</script>' }, 'A&B "Apps"');
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;');
    expect(email.html).toContain('A&amp;B &quot;Apps&quot;');
    expect(email.html).not.toContain('<style');
    expect(email.text).toContain('Hello <script>alert(1)</script>,');
  });

  it('greets without a name and falls back to English for languages not shipped', () => {
    const email = renderEmail('password_changed', { changedAt: '2026-01-02T03:04:05.000Z', ip: '203.0.113.9' }, 'Acme', 'de-AT');
    expect(email.text.startsWith('Hello,')).toBe(true);
    expect(email.text).toContain('Fri, 02 Jan 2026 03:04:05 GMT');
    expect(email.text).toContain('203.0.113.9');
  });

  it('puts the code first in a short SMS', () => {
    const body = renderSms('otp_code', { code: '654321', purpose: 'login', expiresInMinutes: 5 }, 'Acme');
    expect(body).toBe('654321 is your Acme sign-in code. It expires in 5 min. Never share it.');
    expect(body.length).toBeLessThanOrEqual(160);
  });

  it('tells the owner that an administrator turned two-step verification off, by email and SMS', () => {
    const email = renderEmail('mfa_reset', { displayName: 'Ada', resetAt: '2026-01-02T03:04:05.000Z' }, 'Acme');
    expect(email.subject).toBe('Acme: Two-step verification was turned off');
    expect(email.text).toContain('Fri, 02 Jan 2026 03:04:05 GMT');
    expect(email.html).toContain('contact support');
    expect(renderSms('mfa_reset', { resetAt: '2026-01-02T03:04:05.000Z' }, 'Acme').length).toBeLessThanOrEqual(160);
  });
});
