import { describe, it } from 'node:test';
import { expect } from 'expect';
import { loadFirebaseConfig } from './firebase.config';

describe('Firebase configuration', () => {
  it('is unconfigured without a project id', () => {
    expect(loadFirebaseConfig({})).toEqual({ projectId: null, credentialsFile: null, emulatorHost: null });
    expect(loadFirebaseConfig({ FIREBASE_PROJECT_ID: 'demo-school', FIREBASE_AUTH_EMULATOR_HOST: '127.0.0.1:9099' })).toEqual({
      projectId: 'demo-school',
      credentialsFile: null,
      emulatorHost: '127.0.0.1:9099',
    });
  });

  it('names each bad variable', () => {
    expect(() => loadFirebaseConfig({ FIREBASE_PROJECT_ID: 'Not A Project' })).toThrow(/FIREBASE_PROJECT_ID must be a Firebase project id/);
    expect(() => loadFirebaseConfig({ FIREBASE_AUTH_EMULATOR_HOST: 'localhost' })).toThrow(/FIREBASE_AUTH_EMULATOR_HOST must be host:port/);
    expect(() => loadFirebaseConfig({ FIREBASE_PROJECT_ID: 'demo-school', FIREBASE_CREDENTIALS_FILE: '/nonexistent/key.json' })).toThrow(
      /FIREBASE_CREDENTIALS_FILE: the file does not exist/,
    );
    expect(() => loadFirebaseConfig({ FIREBASE_CREDENTIALS_FILE: __filename })).toThrow(
      /FIREBASE_CREDENTIALS_FILE needs FIREBASE_PROJECT_ID/,
    );
  });

  it('refuses the emulator in production, whose tokens anyone can write', () => {
    expect(() =>
      loadFirebaseConfig({ NODE_ENV: 'production', FIREBASE_PROJECT_ID: 'my-school', FIREBASE_AUTH_EMULATOR_HOST: '127.0.0.1:9099' }),
    ).toThrow(/must not be set in production/);
  });
});
