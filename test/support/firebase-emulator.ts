import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The CLI the project installs (firebase-tools), run directly so the process we stop is the emulator. */
const FIREBASE_BIN = join(dirname(dirname(require.resolve('firebase-tools/package.json'))), '.bin', 'firebase');
// firebase-tools is a large program: with other suites busy on both cores, its start has taken
// more than a minute and a half.
const READY_TIMEOUT_MS = 180_000;

export interface FirebaseSignIn {
  uid: string;
  idToken: string;
}

export interface FirebaseEmulator {
  projectId: string;
  /** `127.0.0.1:<port>`, for FIREBASE_AUTH_EMULATOR_HOST. */
  host: string;
  /** A new email/password user; with `verified`, the token says email_verified. */
  signUpWithEmail(email: string, options?: { verified?: boolean; displayName?: string }): Promise<FirebaseSignIn>;
  /** Phone sign-in as a client app does it: send a code, read it from the emulator, sign in with it. */
  signInWithPhone(phone: string): Promise<FirebaseSignIn>;
  /** An anonymous user, as `signInAnonymously` makes one in a client app. */
  signInAnonymously(): Promise<FirebaseSignIn>;
  /** A fresh ID token for an existing email/password user. */
  signInWithEmail(email: string): Promise<FirebaseSignIn>;
  disableUser(uid: string): Promise<void>;
  /** Revokes every token issued so far, as `revokeRefreshTokens` does. */
  revokeTokens(uid: string): Promise<void>;
  stop(): Promise<void>;
}

export const FIREBASE_TEST_PASSWORD = 'emulator-password-1';

/**
 * Starts the Firebase Auth emulator (no Java needed for auth alone, fully offline) on free ports
 * in a scratch directory, and waits until it answers. One per test file: start in `before`, stop
 * in `after`.
 */
export async function startFirebaseEmulator(projectId = `demo-identity-${process.pid}`): Promise<FirebaseEmulator> {
  const [authPort, hubPort, loggingPort] = [await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'firebase-emulator-'));
  writeFileSync(
    join(dir, 'firebase.json'),
    JSON.stringify({
      emulators: {
        auth: { host: '127.0.0.1', port: authPort },
        hub: { host: '127.0.0.1', port: hubPort },
        logging: { host: '127.0.0.1', port: loggingPort },
        ui: { enabled: false },
        singleProjectMode: true,
      },
    }),
  );
  const child = spawn(
    process.execPath,
    [FIREBASE_BIN, 'emulators:start', '--only', 'auth', '--project', projectId, '--config', join(dir, 'firebase.json')],
    {
      cwd: dir,
      // Its config store and debug log stay in the scratch directory.
      env: { ...process.env, XDG_CONFIG_HOME: dir, FIREBASE_AUTH_EMULATOR_HOST: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const host = `127.0.0.1:${authPort}`;
  try {
    await waitUntilReady(child, host, () => output);
  } catch (error) {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return emulatorClient(projectId, host, async () => {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  });
}

function emulatorClient(projectId: string, host: string, stop: () => Promise<void>): FirebaseEmulator {
  const base = `http://${host}/identitytoolkit.googleapis.com/v1`;
  const call = async (path: string, body: unknown, admin = false) => {
    const response = await fetch(`${base}/${path}${admin ? '' : '?key=test-api-key'}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(admin ? { authorization: 'Bearer owner' } : {}) },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`emulator ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const signIn = (json: Record<string, unknown>): FirebaseSignIn => ({ uid: String(json.localId), idToken: String(json.idToken) });
  const update = (fields: Record<string, unknown>) => call(`projects/${projectId}/accounts:update`, fields, true);
  const client: FirebaseEmulator = {
    projectId,
    host,
    async signUpWithEmail(email, options = {}) {
      const created = signIn(await call('accounts:signUp', { email, password: FIREBASE_TEST_PASSWORD, returnSecureToken: true }));
      if (!options.verified && !options.displayName) return created;
      await update({ localId: created.uid, emailVerified: options.verified ?? false, displayName: options.displayName });
      return client.signInWithEmail(email);
    },
    async signInAnonymously() {
      return signIn(await call('accounts:signUp', { returnSecureToken: true }));
    },
    async signInWithEmail(email) {
      return signIn(await call('accounts:signInWithPassword', { email, password: FIREBASE_TEST_PASSWORD, returnSecureToken: true }));
    },
    async signInWithPhone(phoneNumber) {
      const { sessionInfo } = await call('accounts:sendVerificationCode', { phoneNumber, recaptchaToken: 'emulator' });
      const codes = (await (await fetch(`http://${host}/emulator/v1/projects/${projectId}/verificationCodes`)).json()) as {
        verificationCodes: { sessionInfo: string; code: string }[];
      };
      const code = codes.verificationCodes.find((entry) => entry.sessionInfo === sessionInfo)?.code;
      if (!code) throw new Error(`emulator sent no code to ${phoneNumber}`);
      return signIn(await call('accounts:signInWithPhoneNumber', { sessionInfo, code }));
    },
    async disableUser(uid) {
      await update({ localId: uid, disableUser: true });
    },
    async revokeTokens(uid) {
      // Tokens whose auth_time is before validSince count as revoked; a second later covers every one issued so far.
      await update({ localId: uid, validSince: String(Math.floor(Date.now() / 1000) + 1) });
    },
    stop,
  };
  return client;
}

/** Decodes an (unsigned emulator) ID token, changes claims, and encodes it again, unsigned. */
export function withClaims(idToken: string, changes: Record<string, unknown>): string {
  const [header, payload] = idToken.split('.');
  const claims = { ...JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')), ...changes };
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
}

export function claimsOf(idToken: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString('utf8'));
}

async function waitUntilReady(child: ChildProcess, host: string, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Firebase Auth emulator exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`http://${host}/`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Firebase Auth emulator not ready after ${READY_TIMEOUT_MS} ms (${FIREBASE_BIN}):\n${output()}`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
