import { describe, it } from 'node:test';
import { expect } from 'expect';
import { isAllowedRedirect, loadRedirectConfig } from './redirect.config';
import { BindingCookie, pkceChallenge, pkceVerifier } from './flow-secrets';

describe('redirect sign-in configuration', () => {
  const config = loadRedirectConfig({ REDIRECT_ALLOWLIST: 'https://app.example.com/auth/done, com.example.app:/oauth' });

  it('allows exactly the listed return URLs', () => {
    expect(isAllowedRedirect(config, 'https://app.example.com/auth/done')).toBe(true);
    expect(isAllowedRedirect(config, 'com.example.app:/oauth')).toBe(true);
    for (const candidate of [
      '//evil.example',
      'https://app.example.com.evil.example/auth/done',
      'https://app.example.com@evil.example/auth/done',
      'javascript:alert(1)',
      'https://app.example.com/auth/done/',
      'https://app.example.com/auth/done?x=1',
      'https://app.example.com/auth/done#frag',
      'HTTPS://app.example.com/auth/done',
      undefined,
      ['https://app.example.com/auth/done'],
    ]) {
      expect({ candidate, allowed: isAllowedRedirect(config, candidate) }).toEqual({ candidate, allowed: false });
    }
  });

  it('refuses dangerous allow-list entries at boot, naming them', () => {
    expect(() => loadRedirectConfig({ REDIRECT_ALLOWLIST: 'javascript:alert(1)' })).toThrow(/javascript: scheme/);
    expect(() => loadRedirectConfig({ REDIRECT_ALLOWLIST: 'data:text/html,x' })).toThrow(/data: scheme/);
    expect(() => loadRedirectConfig({ REDIRECT_ALLOWLIST: '//evil.example' })).toThrow(/not an absolute URL/);
    expect(() => loadRedirectConfig({ REDIRECT_ALLOWLIST: 'https://a@app.example.com/' })).toThrow(/credentials/);
    expect(() => loadRedirectConfig({ REDIRECT_ALLOWLIST: 'https://app.example.com/#x' })).toThrow(/fragment/);
    expect(() => loadRedirectConfig({ OAUTH_STATE_TTL: '10' })).toThrow(/OAUTH_STATE_TTL must be between/);
  });

  it('derives a PKCE verifier that only the cookie holder with the state can reproduce', () => {
    const verifier = pkceVerifier('browser-secret', 'state');
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(pkceVerifier('other-browser', 'state')).not.toBe(verifier);
    expect(pkceVerifier('browser-secret', 'other-state')).not.toBe(verifier);
    expect(pkceChallenge(verifier)).not.toBe(verifier);
  });

  it('reads only its own, well-formed binding cookie', () => {
    const secure = new BindingCookie(true, 600);
    const secret = 'a'.repeat(43);
    expect(secure.header(secret)).toBe(`__Host-identity_oauth=${secret}; Path=/; Max-Age=600; HttpOnly; Secure; SameSite=None`);
    expect(secure.read(`x=1; __Host-identity_oauth=${secret}`)).toBe(secret);
    expect(secure.read(`identity_oauth=${secret}`)).toBeNull();
    expect(secure.read('__Host-identity_oauth=short')).toBeNull();
    expect(secure.read(undefined)).toBeNull();
  });
});
