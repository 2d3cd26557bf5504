import { describe, it } from 'node:test';
import { expect } from 'expect';
import { loadAuthCoreConfig } from './auth-core.config';

describe('auth-core configuration', () => {
  it('asks for a sign-in within the last five minutes unless REAUTH_WINDOW says otherwise', () => {
    expect(loadAuthCoreConfig({}).reauthWindowSeconds).toBe(300);
    expect(loadAuthCoreConfig({ REAUTH_WINDOW: '15m' }).reauthWindowSeconds).toBe(900);
    expect(loadAuthCoreConfig({ REAUTH_WINDOW: '30' }).reauthWindowSeconds).toBe(30);
  });

  it('refuses a REAUTH_WINDOW that is not a duration or is out of bounds, naming the variable', () => {
    expect(() => loadAuthCoreConfig({ REAUTH_WINDOW: 'soon' })).toThrow(/REAUTH_WINDOW must be a duration/);
    expect(() => loadAuthCoreConfig({ REAUTH_WINDOW: '5' })).toThrow(/REAUTH_WINDOW must be between 30 seconds and 24 hours/);
    expect(() => loadAuthCoreConfig({ REAUTH_WINDOW: '2d' })).toThrow(/REAUTH_WINDOW must be between/);
  });
});
