'use strict';
// Scale check, run by hand (not a test):
//
//   npm run bench:scale [-- --db mysql] [-- --users 1000000] [-- --audit-per-user 10]
//
// Does the service stay as fast when its tables are big? Starts the built service on a scratch
// database, seeds `--baseline-users` accounts (with their password credential, role, one old
// session each) and ten audit rows per account straight into the tables, and measures the
// latency of the requests whose cost could grow with the data: password login, GET /me, refresh,
// the admin user list and search, one user in detail, and a user's audit trail. Then it grows the
// same database to `--users` accounts and `--users × --audit-per-user` audit rows and measures
// again. Each request is sent alone (one at a time), so the numbers are the work one request
// does, not queueing. Target: every p50 and p99 at the large size within 20 % of the small one.
// Prints a table and writes bench/results/<date>-scale-<db>.{json,md}.
const argon2 = require('argon2');
const { createHash, randomBytes } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { argon2Params } = require('./lib/argon2-limit');
const { JSON_HEADERS } = require('./lib/load');
const { startMessageSinks } = require('./lib/message-sinks');
const { freePort, startNode, waitForHttp, stopChild, memory, isRunning, logTail } = require('./lib/processes');
const { machine } = require('./lib/report');
const { DAY_MS, prng, uuidv7, sqlTime, auditPopulation, seedAudit, seedInBatches, createSeedDatabase } = require('./lib/seed');
const { ROOT, SERVICE_MAIN, SERVICE_OPTIONS, serviceOptions, ensureBuild, gitInfo, writeSigningKey, serviceEnv } = require('./lib/service');

const RESULTS_DIR = path.join(__dirname, 'results');
const ALLOWED_SLOWDOWN = 1.2;
const PASSWORD = 'Seeded accounts share this passphrase';
/** Accounts are spread over three years; audit history over the last 60 days. */
const USER_SPAN_DAYS = 3 * 365;
const AUDIT_SPAN_DAYS = 60;
/** The newest seeded account's creation day: fixed for the run, so `account(i)` is the same every time. */
const ACCOUNTS_END_MS = Date.now() - DAY_MS;

const log = (message) => process.stderr.write(`[scale] ${message}\n`);

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...SERVICE_OPTIONS,
      users: { type: 'string', default: '1000000' },
      'baseline-users': { type: 'string', default: '10000' },
      'audit-per-user': { type: 'string', default: '10' },
      samples: { type: 'string', default: '300' },
    },
  });
  const int = (name, min, max) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be an integer from ${min} to ${max}`);
    return value;
  };
  const users = int('users', 10_000, 10_000_000);
  const baselineUsers = int('baseline-users', 1000, users);
  return {
    ...serviceOptions(values),
    users,
    baselineUsers,
    auditPerUser: int('audit-per-user', 0, 100),
    samples: int('samples', 50, 10_000),
  };
}

// --- Accounts ----------------------------------------------------------------------------------

const FIRST = ['maria', 'james', 'aisha', 'wei', 'olga', 'juan', 'fatima', 'liam', 'priya', 'kenji', 'amara', 'noah', 'elena', 'omar'];
const LAST = ['garcia', 'smith', 'khan', 'chen', 'ivanova', 'lopez', 'okafor', 'murphy', 'sharma', 'tanaka', 'mensah', 'berg'];
const DOMAINS = ['example.com', 'example.org', 'mail.example.net', 'school.example.edu'];

/**
 * Account `i` of `total`, derived from `i` alone, so the same account is the same in every
 * stage and the measuring side can name one without reading it back: ids and creation times
 * grow with `i`, about 70 % have a phone, a quarter a username (a roll number), 1 % are
 * deactivated, each has its password credential, the `user` role and one session that ended
 * long ago with its spent refresh token.
 */
function account(i, total) {
  const random = prng(1_000_003 + i);
  const createdMs = ACCOUNTS_END_MS - USER_SPAN_DAYS * DAY_MS + Math.floor((USER_SPAN_DAYS * DAY_MS * i) / total);
  const first = FIRST[i % FIRST.length];
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length];
  const id = uuidv7(createdMs, random);
  return {
    id,
    createdMs,
    email: `${first}.${last}.${i}@${DOMAINS[i % DOMAINS.length]}`,
    phone: i % 10 < 7 ? `+1555${String(i).padStart(7, '0')}` : null,
    displayName: `${first[0].toUpperCase()}${first.slice(1)} ${last[0].toUpperCase()}${last.slice(1)}`,
    username: i % 4 === 0 ? `roll-${String(i).padStart(7, '0')}` : null,
    active: i % 100 !== 99,
    credentialId: uuidv7(createdMs, random),
    sessionId: uuidv7(createdMs + DAY_MS, random),
    refreshId: uuidv7(createdMs + DAY_MS, random),
    refreshHash: createHash('sha256').update(`seeded-${i}`).digest('hex'),
  };
}

const TABLES = {
  users: ['id', 'email', 'email_verified_at', 'phone', 'phone_verified_at', 'display_name', 'is_active', 'created_at', 'updated_at'],
  user_auth: [
    'id',
    'user_id',
    'auth_provider_id',
    'provider_user_id',
    'provider_email',
    'username',
    'password_hash',
    'is_verified',
    'verified_at',
    'created_at',
    'updated_at',
  ],
  user_roles: ['user_id', 'role_id', 'created_at'],
  sessions: ['id', 'user_id', 'provider', 'ip', 'user_agent', 'created_at', 'last_used_at', 'expires_at', 'revoked_at', 'revoke_reason'],
  refresh_tokens: ['id', 'session_id', 'token_hash', 'created_at', 'expires_at', 'rotated_at'],
};

function rowsOf(a, refs) {
  const created = sqlTime(a.createdMs);
  const sessionStart = sqlTime(a.createdMs + DAY_MS);
  const sessionEnd = sqlTime(a.createdMs + 2 * DAY_MS);
  return {
    users: [a.id, a.email, created, a.phone, a.phone ? created : null, a.displayName, a.active ? 1 : 0, created, created],
    user_auth: [a.credentialId, a.id, refs.localProviderId, a.id, a.email, a.username, refs.passwordHash, 1, created, created, created],
    user_roles: [a.id, refs.userRoleId, created],
    sessions: [a.sessionId, a.id, 'local', '203.0.113.7', 'okhttp/4.12.0', sessionStart, sessionStart, sessionEnd, sessionEnd, 'logout'],
    refresh_tokens: [a.refreshId, a.sessionId, a.refreshHash, sessionStart, sessionEnd, null],
  };
}

/** Accounts `from`..`to - 1`, every table in the same transactions. */
async function seedAccounts(client, from, to, total, refs) {
  const insert = async (rows) => {
    for (const [table, columns] of Object.entries(TABLES))
      await client.insertRows(
        table,
        columns,
        rows.map((row) => row[table]),
      );
  };
  return seedInBatches(client, from, to, (i) => rowsOf(account(i, total), refs), insert, 'accounts');
}

async function referenceIds(client) {
  const [provider] = await client.query("SELECT id FROM auth_providers WHERE name = 'local'");
  const [role] = await client.query("SELECT id FROM roles WHERE name = 'user'");
  if (!provider || !role) throw new Error('the service did not create the local provider and the user role');
  const passwordHash = await argon2.hash(PASSWORD, { type: argon2.argon2id, ...argon2Params() });
  return { localProviderId: provider.id, userRoleId: role.id, passwordHash };
}

// --- Measuring ---------------------------------------------------------------------------------

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];

/**
 * `samples` requests made by `send` one after another, after a tenth as many unmeasured; each
 * must answer 200. Returns p50/p99/max in ms.
 */
async function measure(name, samples, send, { quiet = false } = {}) {
  const times = [];
  for (let sample = -Math.ceil(samples / 10); sample < samples; sample++) {
    const started = process.hrtime.bigint();
    const { status, body } = await send();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (status !== 200) throw new Error(`${name}: HTTP ${status} ${JSON.stringify(body).slice(0, 300)}`);
    if (sample >= 0) times.push(ms);
  }
  times.sort((a, b) => a - b);
  const row = { name, samples, p50: percentile(times, 0.5), p99: percentile(times, 0.99), max: times.at(-1) };
  if (!quiet) log(`  ${name}: p50 ${row.p50.toFixed(2)} ms, p99 ${row.p99.toFixed(2)} ms`);
  return row;
}

function http(baseUrl) {
  return async (method, route, { token, body } = {}) => {
    const response = await fetch(`${baseUrl}/api/v1${route}`, {
      method,
      headers: { ...JSON_HEADERS, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
}

/**
 * One round of measurements against accounts 0..`population - 1`. Accounts are drawn at random
 * for every request (a fresh draw per stage, from the same seed), so the lookups land all over
 * the tables rather than on a few hot rows.
 */
async function measureStage(call, { population, total, samples, adminAccount, quiet = false }) {
  // A fresh token per stage: seeding the large stage takes longer than an access token lives.
  const adminLogin = await call('POST', '/auth/login', { body: adminAccount });
  if (adminLogin.status !== 200) throw new Error(`admin login: ${adminLogin.status}`);
  const adminToken = adminLogin.body.accessToken;
  const random = prng(97);
  // Deactivated accounts (every hundredth) cannot sign in: take the one before instead.
  const anyAccount = () => {
    const i = Math.floor(random() * population);
    return account(i % 100 === 99 ? i - 1 : i, total);
  };
  const results = [];
  const sessions = [];
  const light = Math.max(50, Math.floor(samples / 3));
  const timed = (name, count, send) => measure(name, count, send, { quiet });

  results.push(
    await timed('POST /auth/login (email + password)', light, async () => {
      const response = await call('POST', '/auth/login', { body: { identifier: anyAccount().email, password: PASSWORD } });
      if (response.status === 200) sessions.push({ accessToken: response.body.accessToken, refreshToken: response.body.refreshToken });
      return response;
    }),
  );
  results.push(
    await timed('GET /me', samples, () => call('GET', '/me', { token: sessions[Math.floor(random() * sessions.length)].accessToken })),
  );
  let next = 0;
  results.push(
    await timed('POST /auth/refresh', samples, async () => {
      const session = sessions[next++ % sessions.length];
      const response = await call('POST', '/auth/refresh', { body: { refreshToken: session.refreshToken } });
      if (response.status === 200) session.refreshToken = response.body.refreshToken;
      return response;
    }),
  );
  const admin = (route) => () => call('GET', route, { token: adminToken });
  const search = (text) => `/admin/users?search=${encodeURIComponent(text)}`;
  results.push(await timed('GET /admin/users/:id', samples, () => admin(`/admin/users/${anyAccount().id}`)()));
  results.push(
    await timed('GET /admin/audit-logs?userId= (a user’s trail)', samples, () => admin(`/admin/audit-logs?userId=${anyAccount().id}`)()),
  );
  results.push(await timed('GET /admin/users (first page, newest first)', light, admin('/admin/users')));
  results.push(await timed('GET /admin/users?role=admin', light, admin('/admin/users?role=admin')));
  results.push(await timed('GET /admin/users?search=<whole email>', light, () => admin(search(anyAccount().email))()));
  results.push(
    await timed('GET /admin/users?search=<username>', light, () =>
      admin(search(`roll-${String(4 * Math.floor((random() * population) / 4)).padStart(7, '0')}`))(),
    ),
  );
  results.push(
    await timed('GET /admin/users?search=<whole phone, as typed: +1 555 …>', light, () => {
      const phone = anyAccount().phone ?? '+15550000000';
      return admin(search(`${phone.slice(0, 2)} ${phone.slice(2, 5)} ${phone.slice(5)}`))();
    }),
  );
  results.push(
    await timed('GET /admin/users?search=<common name>', light, () => admin(search(FIRST[Math.floor(random() * FIRST.length)]))()),
  );
  results.push(await timed('GET /admin/users?search=<no match>', light, () => admin(search(`zq${randomBytes(3).toString('hex')}`))()));
  return results;
}

// --- The run ---------------------------------------------------------------------------------

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const warnings = [];
  ensureBuild(options.build, warnings);
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'identity-scalebench-'));
  const sinks = await startMessageSinks();
  let database;
  let client;
  let service;
  const cleanup = async () => {
    await stopChild(service);
    await client?.close().catch(() => undefined);
    if (database) await database.drop().catch((error) => log(`could not drop the bench database: ${error.message}`));
    await sinks.close();
    fs.rmSync(tmpDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => cleanup().finally(() => process.exit(130)));
  try {
    database = await createSeedDatabase(options, tmpDir);
    const keysDir = path.join(tmpDir, 'keys');
    writeSigningKey(keysDir, process.env.JWT_ALGORITHM ?? 'RS256');
    const adminAccount = { identifier: 'scale-admin@example.com', password: randomBytes(18).toString('base64url') };
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    log(`starting the service on ${database.description}`);
    service = startNode('identity-api', [SERVICE_MAIN], {
      env: {
        ...serviceEnv({ port, keysDir, databaseUrl: database.url, admin: adminAccount, sinks }),
        // Every request reads the database: the cache would hide exactly the lookups measured here.
        AUTH_CACHE_MS: '0',
        // The seeded history must not be purged by the retention job while measuring.
        AUDIT_RETENTION_DAYS: '3650',
      },
      cwd: tmpDir,
      logFile: path.join(tmpDir, 'service.log'),
    });
    await waitForHttp(service, `${baseUrl}/health/ready`, 60_000);
    client = await database.connect();
    const refs = await referenceIds(client);
    const call = http(baseUrl);

    const stages = [];
    let seededAudit = 0;
    const grow = async (population, from) => {
      const accountSeconds = await seedAccounts(client, from, population, options.users, refs);
      const auditRows = population * options.auditPerUser - seededAudit;
      const users = Array.from({ length: population }, (_, i) => account(i, options.users).id);
      const pop = auditPopulation({ rows: auditRows, users, spanDays: AUDIT_SPAN_DAYS });
      const auditSeconds = auditRows > 0 ? await seedAudit(client, pop, { seed: 11 + population, label: 'audit rows' }) : 0;
      seededAudit += auditRows;
      // InnoDB refreshes its statistics by itself after this many changes, only later; the
      // service never runs ANALYZE on SQLite, so SQLite plans without statistics, as in use.
      const analyzeStarted = Date.now();
      if (client.dialect === 'mysql')
        await client.analyze(['users', 'user_auth', 'user_roles', 'sessions', 'refresh_tokens', 'audit_logs']);
      return { accountSeconds, auditSeconds, analyzeSeconds: (Date.now() - analyzeStarted) / 1000 };
    };
    for (const population of [options.baselineUsers, options.users]) {
      log(
        `growing to ${population.toLocaleString('en-US')} accounts and ${(population * options.auditPerUser).toLocaleString('en-US')} audit rows`,
      );
      const seeding = await grow(population, stages.at(-1)?.population ?? 0);
      const counts = await tableCounts(client);
      if (stages.length === 0) {
        // One unrecorded round first: the small stage would otherwise run on a colder service
        // (JIT, pools, page cache) than the large one and flatter the comparison.
        log('warming up');
        await measureStage(call, { population, total: options.users, samples: 50, adminAccount, quiet: true });
      }
      log(`measuring at ${counts.users.toLocaleString('en-US')} users, ${counts.audit_logs.toLocaleString('en-US')} audit rows`);
      const results = await measureStage(call, { population, total: options.users, samples: options.samples, adminAccount });
      stages.push({ population, seeding, counts, results, rss: memory(service.pid) });
    }

    const report = {
      db: options.db,
      startedAt: new Date().toISOString(),
      options,
      machine: machine(database.description),
      git: gitInfo(),
      stages,
      comparison: compare(stages[0].results, stages[1].results),
      warnings,
    };
    const text = markdown(report);
    process.stdout.write(`${text}\n`);
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    const stem = path.join(RESULTS_DIR, `${report.startedAt.slice(0, 16).replace(/[-:]/g, '').replace('T', '-')}-scale-${options.db}`);
    fs.writeFileSync(`${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
    fs.writeFileSync(`${stem}.md`, `${text}\n`);
    log(`written to ${path.relative(ROOT, stem)}.{json,md}`);
    if (report.comparison.some((row) => !row.within)) process.exitCode = 1;
  } catch (error) {
    if (service && !isRunning(service))
      log(`the service exited (code ${service.exitCode}, signal ${service.signalCode}):\n${logTail(service, 40)}`);
    throw error;
  } finally {
    await cleanup();
  }
}

async function tableCounts(client) {
  const counts = {};
  for (const table of ['users', 'user_auth', 'sessions', 'refresh_tokens', 'audit_logs'])
    counts[table] = Number((await client.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
  return counts;
}

function compare(small, large) {
  return small.map((before, i) => {
    const after = large[i];
    const p50 = after.p50 / before.p50;
    const p99 = after.p99 / before.p99;
    return { name: before.name, before, after, p50, p99, within: p50 <= ALLOWED_SLOWDOWN && p99 <= ALLOWED_SLOWDOWN };
  });
}

function markdown(report) {
  const [small, large] = report.stages;
  const n = (value) => value.toLocaleString('en-US');
  const ms = (value) => (value < 10 ? value.toFixed(2) : value.toFixed(1));
  const ratio = (value) => (value > ALLOWED_SLOWDOWN ? `**${value.toFixed(2)}**` : value.toFixed(2));
  const m = report.machine;
  const seeded = (stage) =>
    `${n(stage.counts.users)} users and ${n(stage.counts.audit_logs)} audit rows (accounts seeded in ${stage.seeding.accountSeconds.toFixed(0)} s, ` +
    `audit rows in ${stage.seeding.auditSeconds.toFixed(0)} s, statistics in ${stage.seeding.analyzeSeconds.toFixed(0)} s; service RSS ${Math.round(stage.rss.rssMiB)} MiB)`;
  return [
    `## Scale check — ${report.db} — ${report.startedAt}`,
    '',
    `${m.cpuModel}, ${m.logicalCpus} cores, ${m.memoryGiB} GiB RAM, Node ${m.node}, ${m.db}, commit ${report.git.commit}${report.git.dirty ? ' (uncommitted changes)' : ''}.`,
    '',
    `Small: ${seeded(small)}. Large: ${seeded(large)}. Each request alone, accounts drawn at random; ` +
      `\`AUTH_CACHE_MS=0\` so every request reads the database. Target: large within ${Math.round((ALLOWED_SLOWDOWN - 1) * 100)} % of small.`,
    '',
    '| Request | samples | small p50 / p99 (ms) | large p50 / p99 (ms) | ratio p50 | ratio p99 |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...report.comparison.map(
      (row) =>
        `| ${row.name.replace(/\|/g, '/')} | ${row.before.samples} | ${ms(row.before.p50)} / ${ms(row.before.p99)} | ${ms(row.after.p50)} / ${ms(row.after.p99)} | ${ratio(row.p50)} | ${ratio(row.p99)} |`,
    ),
    ...(report.warnings.length ? ['', ...report.warnings.map((warning) => `- ${warning}`)] : []),
  ].join('\n');
}

main().catch((error) => {
  log(error.stack ?? error.message);
  process.exitCode = 1;
});
