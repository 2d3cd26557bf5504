import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_MFA_ENCRYPTION_KEY } from '@identity/mfa';
import { DEV_OTP_SECRET } from '@identity/otp';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';
import { startTestApp } from './support/test-app';

/** What production needs beyond keys and a public URL: real secrets. */
const PRODUCTION_SETTINGS = {
  OTP_SECRET: 'x'.repeat(48),
  MFA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  MAIL_URL: 'smtp://mail.internal:25',
  SMS_URL: 'https://sms.internal/send',
};

// Configuration is validated before any connection is opened, so these run on SQLite whatever
// database the suite is for.
describe('configuration is validated at boot', () => {
  let database: ScratchDatabase;
  let keysDir: string;

  before(async () => {
    database = await createScratchDatabase('sqlite');
    keysDir = mkdtempSync(join(tmpdir(), 'identity-prod-keys-'));
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(keysDir, `${Date.now()}.pem`), privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  });
  after(async () => {
    await database?.drop();
    rmSync(keysDir, { recursive: true, force: true });
  });

  const boot = (env: Record<string, string | undefined>) => startTestApp({ DATABASE_URL: database.url, ...env });

  it('names every bad variable at once, with the reason', async () => {
    await expect(
      boot({ PORT: 'eighty', DATABASE_URL: 'postgres://x', JWT_ALGORITHM: 'HS256', ACCESS_TOKEN_TTL: 'soon', ARGON2_TIME_COST: '0' }),
    ).rejects.toThrow(
      /PORT: .*"eighty"\)\n.*DATABASE_URL: .*\n.*JWT_ALGORITHM: .*RS256, ES256, EdDSA.*\n.*ACCESS_TOKEN_TTL: .*must be a duration.*"soon"[\s\S]*ARGON2_TIME_COST: .*less than 1/,
    );
  });

  it('checks the metrics and shutdown settings, without echoing the metrics token', async () => {
    const promise = boot({ METRICS_ENABLED: 'yes', METRICS_TOKEN: 'tiny-token', SHUTDOWN_GRACE_PERIOD: '0' });
    await expect(promise).rejects.toThrow(
      /SHUTDOWN_GRACE_PERIOD: .*"0"\)[\s\S]*METRICS_ENABLED: .*"yes"\)\n.*METRICS_TOKEN: .*a value of 10 characters/,
    );
    await expect(promise).rejects.not.toThrow(/tiny-token/);
  });

  it('masks the password of a rejected connection URL', async () => {
    const promise = boot({ DATABASE_URL: 'postgres://app:hunter2@db:5432/identity' });
    await expect(promise).rejects.toThrow(/postgres:\/\/app:\*\*\*@db:5432/);
    await expect(promise).rejects.not.toThrow(/hunter2/);
  });

  it('never echoes a secret value in the message', async () => {
    const promise = boot({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 's3cret-'.repeat(200) });
    await expect(promise).rejects.toThrow(/ADMIN_PASSWORD: .*a value of 1400 characters/);
    await expect(promise).rejects.not.toThrow(/s3cret/);
  });

  it('production refuses to start without PUBLIC_URL, with a wildcard CORS origin, or with the default key directory', async () => {
    await expect(boot({ NODE_ENV: 'production', PUBLIC_URL: undefined, CORS_ORIGINS: '*', JWT_KEYS_DIR: 'data/keys' })).rejects.toThrow(
      /PUBLIC_URL: required in production[\s\S]*CORS_ORIGINS: a wildcard[\s\S]*JWT_KEYS_DIR or JWT_PRIVATE_KEY_FILE: set one in production/,
    );
  });

  it('production refuses to start without an OTP secret, or with the development one', async () => {
    await expect(boot({ NODE_ENV: 'production', OTP_SECRET: undefined })).rejects.toThrow(/OTP_SECRET is required in production/);
    await expect(boot({ NODE_ENV: 'production', OTP_SECRET: DEV_OTP_SECRET })).rejects.toThrow(
      /OTP_SECRET must not be the development default/,
    );
    await expect(boot({ NODE_ENV: 'production', OTP_SECRET: 'short' })).rejects.toThrow(/OTP_SECRET must be at least 32 characters/);
  });

  it('production refuses to start without an MFA encryption key, or with the development one', async () => {
    await expect(boot({ NODE_ENV: 'production', ...PRODUCTION_SETTINGS, MFA_ENCRYPTION_KEY: undefined })).rejects.toThrow(
      /MFA_ENCRYPTION_KEY is required in production/,
    );
    await expect(boot({ NODE_ENV: 'production', ...PRODUCTION_SETTINGS, MFA_ENCRYPTION_KEY: DEV_MFA_ENCRYPTION_KEY })).rejects.toThrow(
      /MFA_ENCRYPTION_KEY must not be the development default/,
    );
    await expect(boot({ MFA_ENCRYPTION_KEY: 'not a key' })).rejects.toThrow(/MFA_ENCRYPTION_KEY must be 32 bytes/);
  });

  it('refuses message transports that cannot deliver, and log mode in production', async () => {
    await expect(boot({ MAIL_URL: 'mailto:someone' })).rejects.toThrow(/MAIL_URL must be log, smtp/);
    await expect(boot({ SMS_URL: 'ftp://gateway' })).rejects.toThrow(/SMS_URL must be log or an http/);
    await expect(boot({ OUTBOX_RETRY_BASE_MS: '5000', OUTBOX_RETRY_MAX_MS: '1000' })).rejects.toThrow(/OUTBOX_RETRY_MAX_MS/);
    await expect(boot({ NODE_ENV: 'production', ...PRODUCTION_SETTINGS, MAIL_URL: 'log' })).rejects.toThrow(
      /MAIL_URL must be an smtp:\/\/ or smtps:\/\/ URL in production/,
    );
    await expect(boot({ NODE_ENV: 'production', ...PRODUCTION_SETTINGS, SMS_URL: undefined })).rejects.toThrow(/SMS_URL must be an http/);
  });

  it('refuses route limits and lockouts it cannot read', async () => {
    await expect(boot({ RATE_LIMIT_LOGIN: 'ip=ten/1m' })).rejects.toThrow(/RATE_LIMIT_LOGIN must look like ip=30\/1m/);
    await expect(boot({ RATE_LIMIT_REFRESH: 'everyone=5/1m' })).rejects.toThrow(/RATE_LIMIT_REFRESH must look like/);
    await expect(boot({ LOCKOUT_MAX_ATTEMPTS: '0' })).rejects.toThrow(/LOCKOUT_MAX_ATTEMPTS/);
    await expect(boot({ LOCKOUT_DURATION: 'soon' })).rejects.toThrow(/LOCKOUT_DURATION must be a duration/);
  });

  it('refuses schema synchronization, which boilerplates call DATABASE_SYNCHRONIZE', async () => {
    await expect(boot({ DATABASE_SYNCHRONIZE: 'true' })).rejects.toThrow(/DATABASE_SYNCHRONIZE is not supported/);
  });

  it('production never generates a signing key', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'identity-empty-keys-'));
    try {
      await expect(boot({ NODE_ENV: 'production', ...PRODUCTION_SETTINGS, JWT_KEYS_DIR: empty })).rejects.toThrow(/no RS256 signing key/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('production starts with explicit keys and a public URL', async () => {
    const t = await boot({ NODE_ENV: 'production', ...PRODUCTION_SETTINGS, JWT_KEYS_DIR: keysDir, PUBLIC_URL: 'https://id.example.com' });
    try {
      const discovery = await t.http().get('/.well-known/openid-configuration').expect(200);
      expect(discovery.body.issuer).toBe('https://id.example.com');
      expect(discovery.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    } finally {
      await t.close();
    }
  });
});
