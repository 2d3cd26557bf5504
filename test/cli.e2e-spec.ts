import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
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

describe(`identity-cli migrate (${dialect})`, { timeout: 180_000 }, () => {
  let scratch: ScratchDatabase;
  let workDir: string;
  let cli: Cli;

  before(async () => {
    scratch = await createScratchDatabase(dialect);
    workDir = tempDir('identity-cli-');
    cli = cliFor(workDir, scratch.url, join(workDir, 'keys'));
  });
  after(async () => {
    await scratch?.drop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
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
    scratch = await createScratchDatabase(dialect);
    workDir = tempDir('identity-cli-');
    cli = cliFor(workDir, scratch.url, join(workDir, 'keys'));
    const migrated = await cli(['migrate']);
    if (migrated.code !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
  });
  after(async () => {
    await api?.close();
    await scratch?.drop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
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
