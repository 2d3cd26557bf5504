import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as argon2 from 'argon2';
import { hashSync } from 'bcryptjs';
import { expect } from 'expect';
import { DataSource, In, ObjectLiteral } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditLogEntity } from '@identity/audit';
import { ExchangeCodeEntity, RedirectFlowEntity, UserAuthEntity } from '@identity/auth-core';
import { PendingRegistrationEntity } from '@identity/auth-providers/local';
import { newId } from '@identity/common';
import { buildDataSourceOptions, loadDatabaseConfig, TransactionRunner } from '@identity/database';
import { Outbox, OutboxMessageEntity } from '@identity/messaging';
import { MfaChallengeEntity } from '@identity/mfa';
import { OtpChallengeEntity } from '@identity/otp';
import { UserEntity } from '@identity/users';
import { ENTITIES } from '../apps/identity-api/src/persistence';
import { eventually } from './support/eventually';
import { MailCatcher, startMailCatcher } from './support/mail-catcher';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';
import { dialect, FAST_HASHING, startTestApp, TestApp } from './support/test-app';

// The operator CLI as an operator runs it: the compiled entry point of this same build, in a
// child process, with only the environment given here (and a scratch directory as working
// directory, so no developer .env is read and nothing is written into the repository).
const CLI = join(__dirname, '..', 'apps', 'identity-cli', 'src', 'main.js');
const CLI_TIMEOUT_MS = 60_000;

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

type Cli = (args: string[], options?: { env?: NodeJS.ProcessEnv; input?: string }) => Promise<CliResult>;

/** Runs the CLI in `workDir` against the given database and key directory. */
function cliFor(workDir: string, databaseUrl: string, keysDir: string): Cli {
  const baseEnv = { PATH: process.env.PATH, NODE_ENV: 'test', DATABASE_URL: databaseUrl, JWT_KEYS_DIR: keysDir, ...FAST_HASHING };
  return (args, options = {}) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: workDir, env: { ...baseEnv, ...options.env }, timeout: CLI_TIMEOUT_MS });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code, signal) => {
        if (signal) reject(new Error(`identity-cli ${args[0]} killed by ${signal} (timeout ${CLI_TIMEOUT_MS} ms)\n${stdout}${stderr}`));
        else resolve({ code, stdout, stderr });
      });
      child.stdin.end(options.input ?? '');
    });
}

const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** A scratch database and working directory with the CLI pointed at them, migrated unless told otherwise. */
async function scratchCli(options: { migrate: boolean }): Promise<{ scratch: ScratchDatabase; workDir: string; cli: Cli }> {
  const scratch = await createScratchDatabase(dialect);
  const workDir = tempDir('identity-cli-');
  const cli = cliFor(workDir, scratch.url, join(workDir, 'keys'));
  if (options.migrate) {
    const migrated = await cli(['migrate']);
    if (migrated.code !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
  }
  return { scratch, workDir, cli };
}

/** Drops what scratchCli made. */
async function removeScratch(scratch: ScratchDatabase | undefined, workDir: string | undefined): Promise<void> {
  await scratch?.drop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
}

describe(`identity-cli migrate (${dialect})`, { timeout: 180_000 }, () => {
  let scratch: ScratchDatabase;
  let workDir: string;
  let cli: Cli;

  before(async () => {
    ({ scratch, workDir, cli } = await scratchCli({ migrate: false }));
  });
  after(async () => {
    await removeScratch(scratch, workDir);
  });

  it('--check exits 1 and names the pending migrations on a fresh database, without applying them', async () => {
    const first = await cli(['migrate', '--check']);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/\d+ pending migration\(s\):\n\s+Init\d+/);
    const second = await cli(['migrate', '--check']);
    expect(second.code).toBe(1);
  });

  it('applies the pending migrations and lists them; a second run applies nothing', async () => {
    const first = await cli(['migrate']);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/applied \d+ migration\(s\):\n\s+Init\d+/);
    const second = await cli(['migrate']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/no pending migrations/);
  });

  it('--check exits 0 once everything is applied', async () => {
    const result = await cli(['migrate', '--check']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/schema up to date/);
  });
});

describe(`identity-cli create-user / create-admin (${dialect})`, { timeout: 240_000 }, () => {
  const password = 'correct horse battery staple';
  let scratch: ScratchDatabase;
  let workDir: string;
  let cli: Cli;
  let api: TestApp | undefined;

  before(async () => {
    ({ scratch, workDir, cli } = await scratchCli({ migrate: true }));
  });
  after(async () => {
    await api?.close();
    await removeScratch(scratch, workDir);
  });

  /** The real HTTP API on the same database, started after the CLI wrote to it. */
  async function apiOnSameDatabase(): Promise<TestApp> {
    api ??= await startTestApp({}, scratch);
    return api;
  }

  it('creates an account (password from stdin) that signs in through the HTTP API with its roles', async () => {
    const args = ['create-user', '--username', 'CS-042', '--email', 'ada@example.com', '--phone', '+4915112345678'];
    const result = await cli([...args, '--password-stdin', '--display-name', 'Ada', '--roles', 'admin', '--verified'], {
      input: `${password}\n`,
    });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const { id } = JSON.parse(result.stdout) as { id: string };
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const t = await apiOnSameDatabase();
    const login = await t.http().post('/api/v1/auth/login').send({ identifier: 'cs-042', password });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ id, displayName: 'Ada', email: 'ada@example.com', emailVerified: true });
    expect(login.body.user.roles).toEqual(expect.arrayContaining(['admin', 'user']));
  });

  it('refuses a duplicate with exit 1 and account_exists, printing no password or hash', async () => {
    const result = await cli(['create-user', '--username', 'cs-042', '--password', password, '--display-name', 'Ada again']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/account_exists|already exists/);
    expect(result.stderr).not.toContain(password);
    expect(result.stderr).not.toMatch(/argon2/);
  });

  it('refuses a too-short password (from CLI_PASSWORD) with exit 1 and the reason, creating nothing', async () => {
    const result = await cli(['create-user', '--username', 'cs-043', '--display-name', 'Bo'], { env: { CLI_PASSWORD: 'short7' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/password must be at least 8 characters/);
    expect(result.stderr).not.toContain('short7');
    const t = await apiOnSameDatabase();
    const login = await t.http().post('/api/v1/auth/login').send({ identifier: 'cs-043', password: 'short7' });
    expect(login.status).toBe(401);
  });

  it('refuses an unknown role and a missing password with exit 1', async () => {
    const unknownRole = await cli([
      'create-user',
      '--username',
      'cs-044',
      '--password',
      password,
      '--display-name',
      'Cy',
      '--roles',
      'no-such-role',
    ]);
    expect(unknownRole.code).toBe(1);
    expect(unknownRole.stderr).toMatch(/unknown_role: Unknown role\(s\): no-such-role/);
    const noPassword = await cli(['create-user', '--username', 'cs-044', '--display-name', 'Cy']);
    expect(noPassword.code).toBe(1);
    expect(noPassword.stderr).toMatch(/a password is required/);
  });

  it('create-admin makes a verified admin who signs in by email', async () => {
    const result = await cli(['create-admin', '--email', 'Root@Example.com', '--password-stdin'], { input: password });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const { id } = JSON.parse(result.stdout) as { id: string };
    const t = await apiOnSameDatabase();
    const login = await t.http().post('/api/v1/auth/login').send({ identifier: 'root@example.com', password });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ id, displayName: 'Administrator', emailVerified: true });
    expect(login.body.user.roles).toEqual(expect.arrayContaining(['admin', 'user']));
  });
});

describe('identity-cli rotate-keys', { timeout: 120_000 }, () => {
  let workDir: string;
  let keysDir: string;
  let cli: Cli;

  before(() => {
    workDir = tempDir('identity-cli-');
    keysDir = join(workDir, 'keys');
    // No database is touched: an unreachable one proves it.
    cli = cliFor(workDir, 'mysql://nobody@127.0.0.1:1/none', keysDir);
  });
  after(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  const kidOf = (stdout: string) => /kid:\s+(\S+)/.exec(stdout)?.[1];

  it('adds a new key file with a new kid on each run', async () => {
    const first = await cli(['rotate-keys']);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/new RS256 signing key/);
    const second = await cli(['rotate-keys']);
    expect(second.code).toBe(0);

    const files = readdirSync(keysDir).filter((name) => /^\d+\.pem$/.test(name));
    expect(files).toHaveLength(2);
    expect(kidOf(first.stdout)).toBeTruthy();
    expect(kidOf(second.stdout)).toBeTruthy();
    expect(kidOf(second.stdout)).not.toBe(kidOf(first.stdout));
  });

  it('refuses in single-key mode (JWT_PRIVATE_KEY_FILE) and writes nothing', async () => {
    const result = await cli(['rotate-keys'], { env: { JWT_PRIVATE_KEY_FILE: join(workDir, 'signing.pem') } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/JWT_PRIVATE_KEY_FILE is set/);
    expect(readdirSync(keysDir)).toHaveLength(2);
  });

  it('refuses a second key of another algorithm that would push the signing key out of JWKS', async () => {
    const ed25519 = await cli(['rotate-keys', '--algorithm', 'EdDSA']);
    expect(ed25519.code).toBe(0);
    expect(ed25519.stdout).toMatch(/new EdDSA signing key[\s\S]*note: instances sign with their newest RS256 key/);
    const another = await cli(['rotate-keys', '--algorithm', 'EdDSA']);
    expect(another.code).toBe(1);
    expect(another.stderr).toMatch(/Set JWT_ALGORITHM=EdDSA and restart the instances first/);
    expect(readdirSync(keysDir)).toHaveLength(3);
  });
});

describe(`identity-cli users:import (${dialect})`, { timeout: 300_000 }, () => {
  const password = (name: string) => `${name} keeps a long passphrase`;
  let scratch: ScratchDatabase;
  let workDir: string;
  let cli: Cli;
  let api: TestApp;
  let csvFile: string;
  let jsonFile: string;

  const users = () => api.app.get(DataSource).getRepository(UserEntity);
  const storedHash = async (userId: string) =>
    (await api.app.get(DataSource).getRepository(UserAuthEntity).findOneByOrFail({ userId })).passwordHash!;
  const signIn = (identifier: string, secret: string) => api.http().post('/api/v1/auth/login').send({ identifier, password: secret });

  before(async () => {
    ({ scratch, workDir, cli } = await scratchCli({ migrate: true }));
    api = await startTestApp({}, scratch);

    // Hashes as the stacks teams migrate from make them: bcrypt of three dialects, argon2i and
    // argon2id with other costs than ours.
    const bcrypt = hashSync(password('ada'), 4);
    csvFile = join(workDir, 'users.csv');
    writeFileSync(
      csvFile,
      [
        'email,phone,username,displayName,emailVerified,roles,passwordHash',
        `ada@example.com,,ada-1,"Lovelace, Ada",true,admin,${bcrypt}`,
        `,+4915112340001,,Bob,,,${hashSync(password('bob'), 4).replace(/^\$2b\$/, '$2y$')}`,
        `broken@example,,,Broken,,,${bcrypt}`,
        '',
        `nohash@example.com,,,No Hash,,,plaintext`,
        `ADA@example.com,,,Ada twice,,,${bcrypt}`,
      ].join('\r\n'),
    );
    jsonFile = join(workDir, 'users.json');
    const argon2i = await argon2.hash(password('cy'), { type: argon2.argon2i, memoryCost: 4096, timeCost: 2, parallelism: 1 });
    const argon2id = await argon2.hash(password('di'), { type: argon2.argon2id, memoryCost: 4096, timeCost: 3, parallelism: 1 });
    const legacy = hashSync(password('eve'), 4).replace(/^\$2b\$/, '$2a$');
    writeFileSync(
      jsonFile,
      JSON.stringify([
        { email: 'cy@example.com', displayName: 'Cy', emailVerified: true, roles: ['admin'], passwordHash: argon2i },
        { username: 'di-2', displayName: 'Di', passwordHash: argon2id },
        { email: 'eve@example.com', phone: '+4915112340002', displayName: 'Eve', passwordHash: legacy },
        { email: 'fay@example.com', displayName: 'Fay', roles: ['no-such-role'], passwordHash: argon2id },
        { email: 'gus@example.com', displayName: 'Gus', password: 'plain', passwordHash: argon2id },
        'not an object',
      ]),
    );
  });
  after(async () => {
    await api?.close();
    await removeScratch(scratch, workDir);
  });

  it('--dry-run reports every row and writes nothing', async () => {
    const result = await cli(['users:import', csvFile, '--dry-run']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/would create 2, skipped 0 existing, refused 3 invalid \(of 5 rows\)/);
    expect(result.stdout).toMatch(/dry run: nothing was written/);
    expect(await users().count()).toBe(0);
  });

  it('imports the valid CSV rows and lists the invalid ones by row number, writing none of them', async () => {
    const result = await cli(['users:import', csvFile]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^row 3: invalid: email must be an email address$/m);
    expect(result.stdout).toMatch(/^row 5: invalid: passwordHash must be a bcrypt .* or argon2 .* hash$/m);
    expect(result.stdout).toMatch(/^row 6: invalid: email also in row 1$/m);
    expect(result.stdout).toMatch(/created 2, skipped 0 existing, refused 3 invalid \(of 5 rows\)/);
    expect(result.stdout + result.stderr).not.toMatch(/\$2[aby]\$\d\d\$/);
    expect(await users().countBy({ email: In(['broken@example', 'nohash@example.com']) })).toBe(0);
    expect(await users().count()).toBe(2);
  });

  it('imports JSON, refusing unknown roles and fields', async () => {
    const result = await cli(['users:import', jsonFile]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^row 4: invalid: unknown role\(s\): no-such-role$/m);
    expect(result.stdout).toMatch(/^row 5: invalid: unknown field\(s\) password$/m);
    expect(result.stdout).toMatch(/^row 6: invalid: the entry is not an object$/m);
    expect(result.stdout).toMatch(/created 3, skipped 0 existing, refused 3 invalid \(of 6 rows\)/);
    expect(await users().count()).toBe(5);
  });

  it('imported accounts sign in with their original passwords and get an argon2id hash with our parameters', async () => {
    const logins: [string, string, RegExp][] = [
      ['ada-1', password('ada'), /^\$2b\$/],
      ['+4915112340001', password('bob'), /^\$2y\$/],
      ['cy@example.com', password('cy'), /^\$argon2i\$/],
      ['di-2', password('di'), /^\$argon2id\$.*t=3/],
      ['eve@example.com', password('eve'), /^\$2a\$/],
    ];
    for (const [identifier, secret, before] of logins) {
      const wrong = await signIn(identifier, `${secret}!`);
      expect(wrong.status).toBe(401);
      const login = await signIn(identifier, secret);
      expect({ identifier, status: login.status }).toEqual({ identifier, status: 200 });
      expect(before.test(await storedHash(login.body.user.id))).toBe(false);
      expect(await storedHash(login.body.user.id)).toMatch(/^\$argon2id\$v=19\$m=8192,.*t=1/);
      // The new hash verifies too.
      expect((await signIn(identifier, secret)).status).toBe(200);
    }
    const ada = (await signIn('ada@example.com', password('ada'))).body.user;
    expect(ada).toMatchObject({ displayName: 'Lovelace, Ada', emailVerified: true, username: 'ada-1' });
    expect(ada.roles).toEqual(expect.arrayContaining(['admin', 'user']));
    const cy = (await signIn('cy@example.com', password('cy'))).body.user;
    expect(cy).toMatchObject({ emailVerified: true });
    expect(cy.roles).toEqual(expect.arrayContaining(['admin', 'user']));
  });

  it('a second run skips every existing account without touching it', async () => {
    const adaId = (await users().findOneByOrFail({ email: 'ada@example.com' })).id;
    const hashBefore = await storedHash(adaId);
    const csv = await cli(['users:import', csvFile]);
    expect(csv.stdout).toMatch(/^row 1: existing: email belongs to an existing account$/m);
    expect(csv.stdout).toMatch(/^row 2: existing: phone belongs to an existing account$/m);
    expect(csv.stdout).toMatch(/created 0, skipped 2 existing, refused 3 invalid/);
    const json = await cli(['users:import', jsonFile]);
    expect(json.stdout).toMatch(/^row 2: existing: username belongs to an existing account$/m);
    expect(json.stdout).toMatch(/created 0, skipped 3 existing, refused 3 invalid/);
    expect(await users().count()).toBe(5);
    expect(await storedHash(adaId)).toBe(hashBefore);
  });

  it('records one users.imported event per run that wrote (dry runs write none)', async () => {
    const events = await api.app.get(DataSource).getRepository(AuditLogEntity).findBy({ action: 'users.imported' });
    expect(events).toHaveLength(4);
    expect(events.map((event) => event.metadata)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'users.csv', format: 'csv', created: 2, existing: 0, invalid: 3 }),
        expect.objectContaining({ file: 'users.json', format: 'json', created: 0, existing: 3, invalid: 3 }),
      ]),
    );
  });

  it('refuses an unknown CSV column and an unknown extension before touching the database', async () => {
    const typo = join(workDir, 'typo.csv');
    writeFileSync(typo, 'email,displayName,password_hash\nzed@example.com,Zed,x\n');
    const result = await cli(['users:import', typo]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown column\(s\) password_hash/);
    const unknown = await cli(['users:import', join(workDir, 'users.txt')]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/pass --format csv or --format json/);
  });
});

describe(`identity-cli cleanup (${dialect})`, { timeout: 180_000 }, () => {
  const DAY_MS = 86_400_000;
  let scratch: ScratchDatabase;
  let workDir: string;
  let cli: Cli;
  let db: DataSource;

  before(async () => {
    ({ scratch, workDir, cli } = await scratchCli({ migrate: true }));
    // No API runs here, so no scheduled cleanup can take the rows first.
    db = await new DataSource(buildDataSourceOptions(loadDatabaseConfig({ DATABASE_URL: scratch.url }), ENTITIES)).initialize();
  });
  after(async () => {
    await db?.destroy();
    await removeScratch(scratch, workDir);
  });

  const insert = <T extends ObjectLiteral>(entity: new () => T, row: Record<string, unknown>) =>
    db.getRepository(entity).insert({ id: newId(), ...row } as unknown as QueryDeepPartialEntity<T>);

  /** One row per table that every cleanup should delete, and a live code it must keep. */
  async function seed(userId: string): Promise<string> {
    const now = Date.now();
    const past = new Date(now - 3 * DAY_MS);
    const code = { purpose: 'login', channel: 'email', codeHash: 'h'.repeat(64), maxAttempts: 3 };
    await insert(OtpChallengeEntity, { ...code, destination: 'old@example.com', expiresAt: past });
    const live = newId();
    await insert(OtpChallengeEntity, { ...code, id: live, destination: 'new@example.com', expiresAt: new Date(now + DAY_MS) });
    const registration = {
      email: 'p@example.com',
      phone: null,
      username: null,
      passwordHash: 'x',
      displayName: 'P',
      profile: null,
      roles: [],
    };
    await insert(PendingRegistrationEntity, {
      channel: 'email',
      destination: 'p@example.com',
      registrationData: registration,
      expiresAt: past,
    });
    await insert(MfaChallengeEntity, { userId, tokenHash: 'm'.repeat(64), provider: 'local', maxAttempts: 3, expiresAt: past });
    const flow = {
      provider: 'google',
      stateHash: 's'.repeat(64),
      browserHash: 'b'.repeat(64),
      nonce: 'n',
      redirectUri: 'http://app.test/',
    };
    await insert(RedirectFlowEntity, { ...flow, expiresAt: past });
    await insert(ExchangeCodeEntity, { codeHash: 'c'.repeat(64), userId, provider: 'google', expiresAt: past });
    const message = { channel: 'email', recipient: 'old@example.com', template: 'account_exists', payload: {}, status: 'sent' };
    await insert(OutboxMessageEntity, { ...message, nextAttemptAt: past, createdAt: new Date(now - 30 * DAY_MS) });
    await insert(AuditLogEntity, { action: 'logout', success: true, metadata: null, createdAt: new Date(now - 400 * DAY_MS) });
    return live;
  }

  const counts = (stdout: string) =>
    Object.fromEntries(
      stdout
        .trim()
        .split('\n')
        .map((line) => line.trim().split(/\s+/) as [string, string])
        .map(([kind, n]) => [kind, Number(n)]),
    );

  it('deletes what has expired in every table, prints counts per table, and keeps live rows', async () => {
    const created = await cli([
      'create-user',
      '--email',
      'owner@example.com',
      '--display-name',
      'Owner',
      '--password',
      'a long enough passphrase',
    ]);
    expect(created.code).toBe(0);
    const live = await seed((JSON.parse(created.stdout) as { id: string }).id);

    const result = await cli(['cleanup']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(counts(result.stdout)).toEqual({
      otp_challenges: 1,
      pending_registrations: 1,
      mfa_challenges: 1,
      redirect_flows: 1,
      exchange_codes: 1,
      message_outbox: 1,
      audit_logs: 1,
      total: 7,
    });
    expect(await db.getRepository(OtpChallengeEntity).existsBy({ id: live })).toBe(true);
    for (const entity of [PendingRegistrationEntity, MfaChallengeEntity, RedirectFlowEntity, ExchangeCodeEntity, OutboxMessageEntity]) {
      expect(await db.getRepository<ObjectLiteral>(entity).count()).toBe(0);
    }
    // The account's own user.created event is recent and stays.
    expect(await db.getRepository(AuditLogEntity).countBy({ action: 'user.created' })).toBe(1);

    const again = await cli(['cleanup']);
    expect(counts(again.stdout).total).toBe(0);
  });
});

describe(`identity-cli outbox:retry (${dialect})`, { timeout: 180_000 }, () => {
  let scratch: ScratchDatabase;
  let workDir: string;
  let cli: Cli;
  let mail: MailCatcher;
  let api: TestApp;

  before(async () => {
    ({ scratch, workDir, cli } = await scratchCli({ migrate: false }));
    mail = await startMailCatcher();
    // One attempt, so a message is given up at the first refusal.
    api = await startTestApp({ MAIL_URL: mail.url, OUTBOX_MAX_ATTEMPTS: '1' }, scratch);
  });
  after(async () => {
    await api?.close();
    await mail?.stop();
    await removeScratch(scratch, workDir);
  });

  const messages = () => api.app.get(DataSource).getRepository(OutboxMessageEntity);

  it('requeues a given-up message, which is then delivered; a code message whose code was removed is skipped', async () => {
    await mail.down();
    const outbox = api.app.get(Outbox);
    const [notice, code] = await api.app.get(TransactionRunner).run((manager) =>
      Promise.all([
        outbox.enqueue(manager, { channel: 'email', to: 'ada@example.com', template: 'account_exists', data: { displayName: 'Ada' } }),
        outbox.enqueue(manager, {
          channel: 'email',
          to: 'bo@example.com',
          template: 'otp_code',
          data: { code: '123456', purpose: 'login', expiresInMinutes: 10 },
        }),
      ]),
    );
    outbox.wake();
    await eventually(async () => (await messages().countBy({ id: In([notice, code]), status: 'failed' })) === 2);
    await mail.up();

    const result = await cli(['outbox:retry', '--since', '1h']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^requeued 1 failed message\(s\)$/m);
    expect(result.stdout).toMatch(/^skipped 1 whose one-time code was removed/m);

    const delivered = await mail.waitFor('ada@example.com', { timeoutMs: 10_000 });
    expect(String(delivered.headers.get('message-id'))).toContain(notice);
    await eventually(async () => (await messages().findOneByOrFail({ id: notice })).status === 'sent');
    expect(await messages().findOneByOrFail({ id: code })).toMatchObject({ status: 'failed' });
    expect(mail.count('bo@example.com')).toBe(0);

    const events = await api.app.get(DataSource).getRepository(AuditLogEntity).findBy({ action: 'message.requeued' });
    expect(events).toHaveLength(1);
    expect(events[0].metadata).toMatchObject({ matched: 2, requeued: 1, skippedWithoutSecret: 1 });
  });

  it('--id names one message; an id that is not a failed message is an error', async () => {
    const sent = (await messages().findOneByOrFail({ recipient: 'ada@example.com' })).id;
    const notFailed = await cli(['outbox:retry', '--id', sent]);
    expect(notFailed.code).toBe(1);
    expect(notFailed.stderr).toMatch(/no failed message with id/);
    const badSince = await cli(['outbox:retry', '--since', 'yesterday']);
    expect(badSince.code).toBe(1);
    expect(badSince.stderr).toMatch(/--since must be an ISO 8601 time/);
  });
});
