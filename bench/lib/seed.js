'use strict';
// Writing large amounts of realistic rows straight into the service's tables, for the benchmarks
// that need a big database (audit-search.js, scale.js): a seeded random generator, the service's
// id and time formats, the audit event mix, and a small client with the same operations on
// SQLite and MySQL/MariaDB.
const { createDatabase } = require('./service');

const DAY_MS = 86_400_000;

/** mulberry32: a seeded PRNG, so two runs seed the same rows. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** UUIDv7 for a given millisecond, as the service makes them (time-ordered primary keys). */
function uuidv7(ms, random) {
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(ms, 0, 6);
  for (let i = 6; i < 16; i++) bytes[i] = Math.floor(random() * 256);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** UTC 'YYYY-MM-DD HH:MM:SS.mmm', the text both dialects store for datetime(6). */
const sqlTime = (ms) => new Date(ms).toISOString().replace('T', ' ').slice(0, 23);

// --- Audit events ------------------------------------------------------------------------------

// Share of events per action; failures carry their error code.
const ACTION_MIX = [
  ['token.refreshed', 0.36, null],
  ['login.succeeded', 0.3, null],
  ['login.failed', 0.12, 'invalid_credentials'],
  ['logout', 0.08, null],
  ['token.refresh_failed', 0.03, 'invalid_refresh_token'],
  ['session.revoked', 0.025, null],
  ['user.updated', 0.02, null],
  ['password.changed', 0.01, null],
  ['account.created', 0.01, null],
  ['user.created', 0.01, null],
  ['identity.linked', 0.005, null],
  ['user.roles_changed', 0.003, null],
  ['user.sessions_revoked', 0.002, null],
  ['user.deactivated', 0.0015, null],
  ['user.unlocked', 0.0005, null],
  ['role.updated', 0.0005, null],
  ['token.reuse_detected', 0.0003, 'refresh_token_reused'],
  ['provider.disabled', 0.0002, null],
];
const ADMIN_ACTIONS = new Set([
  'user.updated',
  'user.roles_changed',
  'user.sessions_revoked',
  'user.deactivated',
  'user.unlocked',
  'role.updated',
  'provider.disabled',
]);
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Dart/3.5 (dart:io)',
  'okhttp/4.12.0',
];
const ENDPOINTS = {
  'token.refreshed': ['POST', '/api/v1/auth/refresh'],
  'token.refresh_failed': ['POST', '/api/v1/auth/refresh'],
  'token.reuse_detected': ['POST', '/api/v1/auth/refresh'],
  'login.succeeded': ['POST', '/api/v1/auth/login'],
  'login.failed': ['POST', '/api/v1/auth/login'],
  logout: ['POST', '/api/v1/auth/logout'],
  'session.revoked': ['DELETE', '/api/v1/me/sessions/:id'],
  'password.changed': ['POST', '/api/v1/me/password'],
};

const AUDIT_COLUMNS = [
  'id',
  'user_id',
  'actor_id',
  'session_id',
  'action',
  'success',
  'error_code',
  'ip',
  'user_agent',
  'method',
  'endpoint',
  'metadata',
  'duration_ms',
  'created_at',
];

/**
 * Who the audit rows are about: `users` (ids; 1 % of them cause a fifth of the events), 12
 * admins, 40,000 client IPs (a tenth IPv6, 20 busy NAT addresses carry a tenth of the traffic),
 * `spanDays` of history ending a minute ago.
 */
function auditPopulation({ rows, users, spanDays }) {
  const random = prng(7);
  const admins = Array.from({ length: 12 }, () => uuidv7(Date.now() - 500 * DAY_MS, random));
  const ips = Array.from({ length: 40_000 }, (_, i) =>
    i % 10 === 9
      ? `2001:db8:${(i % 65536).toString(16)}::${Math.floor(random() * 65536).toString(16)}`
      : `${10 + Math.floor(random() * 200)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`,
  );
  const end = Date.now() - 60_000;
  const heavyUsers = users.slice(0, Math.max(1, Math.floor(users.length / 100)));
  return { users, heavyUsers, admins, ips, busyIps: ips.slice(0, 20), start: end - spanDays * DAY_MS, end, rows };
}

/** Random user ids, for audit rows about users that are not rows of `users`. */
function randomUserIds(count) {
  const random = prng(5);
  return Array.from({ length: count }, () => uuidv7(Date.now() - Math.floor(random() * 400 * DAY_MS), random));
}

/** Audit row `i` of `pop.rows`, in time order like a live table, as an array of AUDIT_COLUMNS values. */
function auditRow(pop, i, random) {
  const ms = pop.start + Math.floor(((pop.end - pop.start) * i) / pop.rows) + Math.floor(random() * 50);
  let pick = random();
  let action = ACTION_MIX[0];
  for (const entry of ACTION_MIX) {
    if (pick < entry[1]) {
      action = entry;
      break;
    }
    pick -= entry[1];
  }
  const [name, , errorCode] = action;
  const user =
    random() < 0.2 ? pop.heavyUsers[Math.floor(random() * pop.heavyUsers.length)] : pop.users[Math.floor(random() * pop.users.length)];
  const unknownIdentifier = name === 'login.failed' && random() < 0.35;
  const byAdmin = ADMIN_ACTIONS.has(name);
  const userId = unknownIdentifier ? null : user;
  const actorId = byAdmin ? pop.admins[Math.floor(random() * pop.admins.length)] : name === 'login.failed' ? null : userId;
  const ip = random() < 0.1 ? pop.busyIps[Math.floor(random() * pop.busyIps.length)] : pop.ips[Math.floor(random() * pop.ips.length)];
  const [method, endpoint] = ENDPOINTS[name] ?? ['PATCH', '/api/v1/admin/users/:id'];
  const metadata =
    name === 'login.failed'
      ? { provider: 'local', reason: unknownIdentifier ? 'unknown_identifier' : 'wrong_password', identifierKind: 'email' }
      : name === 'login.succeeded'
        ? { provider: 'local' }
        : byAdmin
          ? { changed: ['isActive'] }
          : null;
  return [
    uuidv7(ms, random),
    userId,
    actorId,
    name.startsWith('token.') || name === 'logout' || name === 'login.succeeded' ? uuidv7(ms - 3600_000, random) : null,
    name,
    errorCode ? 0 : 1,
    errorCode,
    ip,
    AGENTS[Math.floor(random() * AGENTS.length)],
    method,
    endpoint,
    metadata ? JSON.stringify(metadata) : null,
    5 + Math.floor(random() * 120),
    sqlTime(ms),
  ];
}

/** Inserts the population's audit history, oldest first; returns the seconds it took. */
async function seedAudit(client, pop, { seed = 11, label = 'audit rows' } = {}) {
  const random = prng(seed);
  const insert = (rows) => client.insertRows('audit_logs', AUDIT_COLUMNS, rows);
  return seedInBatches(client, 0, pop.rows, (i) => auditRow(pop, i, random), insert, label);
}

/**
 * Rows `from`..`to - 1` made by `makeRow(i)`, handed to `insert` 1,000 at a time, 20 batches per
 * transaction. Returns the seconds it took.
 */
async function seedInBatches(client, from, to, makeRow, insert, label) {
  const batch = 1000;
  const perTransaction = 20;
  const started = Date.now();
  for (let i = from; i < to;) {
    await client.transaction(async () => {
      for (let b = 0; b < perTransaction && i < to; b++) {
        const rows = [];
        for (let k = 0; k < batch && i < to; k++, i++) rows.push(makeRow(i));
        await insert(rows);
      }
    });
    // better-sqlite3 is synchronous: let the event loop see its sockets (keep-alive closes) now and then.
    await new Promise((resolve) => setImmediate(resolve));
    if ((i - from) % 200_000 === 0 || i === to)
      process.stderr.write(
        `[seed] ${label}: ${i.toLocaleString('en-US')} of ${to.toLocaleString('en-US')} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
      );
  }
  return (Date.now() - started) / 1000;
}

// --- Databases ---------------------------------------------------------------------------------

/** A scratch database (see service.js `createDatabase`) that `connect()` opens a seeding client on. */
async function createSeedDatabase(options, tmpDir) {
  const database = await createDatabase(options, tmpDir);
  return { ...database, connect: () => openSeedClient(database.url) };
}

async function openSeedClient(url) {
  if (url.startsWith('sqlite:')) return sqliteClient(url.slice('sqlite:'.length));
  const mysql = require('mysql2/promise');
  return mysqlClient(await mysql.createConnection({ uri: url.replace(/^mariadb:/, 'mysql:'), timezone: 'Z', dateStrings: true }));
}

/** The few operations the benches need, the same on both dialects. */
function sqliteClient(file) {
  const Database = require('better-sqlite3');
  const db = new Database(file);
  db.pragma('busy_timeout = 10000');
  // Seeded audit rows may name users that are not rows of `users`: skip the foreign keys, as for MySQL below.
  db.pragma('foreign_keys = OFF');
  const inserts = new Map();
  return {
    dialect: 'sqlite',
    async insertRows(table, columns, rows) {
      const key = `${table}:${rows.length}`;
      if (!inserts.has(key)) {
        const values = rows.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ');
        inserts.set(key, db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values}`));
      }
      inserts.get(key).run(rows.flat());
    },
    async transaction(work) {
      db.exec('BEGIN');
      try {
        await work();
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    },
    async query(sql, params = []) {
      const statement = db.prepare(sql);
      return statement.reader ? statement.all(params) : (statement.run(params), []);
    },
    async explain(sql, params) {
      return db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all(params)
        .map((row) => row.detail)
        .join('; ');
    },
    async close() {
      db.close();
    },
  };
}

function mysqlClient(connection) {
  return {
    dialect: 'mysql',
    async insertRows(table, columns, rows) {
      await connection.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ?`, [rows]);
    },
    async transaction(work) {
      await connection.query('SET SESSION foreign_key_checks = 0');
      await connection.beginTransaction();
      try {
        await work();
        await connection.commit();
      } catch (error) {
        await connection.rollback();
        throw error;
      }
    },
    async query(sql, params = []) {
      const [rows] = await connection.query(sql, params);
      return rows;
    },
    async explain(sql, params) {
      const [rows] = await connection.query(`EXPLAIN ${sql}`, params);
      return rows
        .map((row) => `${row.type} on ${row.key ?? 'no index'}, ~${row.rows} rows${row.Extra ? ` (${row.Extra})` : ''}`)
        .join('; ');
    },
    async analyze(tables) {
      await connection.query(`ANALYZE TABLE ${tables.join(', ')}`);
    },
    async close() {
      await connection.end();
    },
  };
}

module.exports = {
  DAY_MS,
  AUDIT_COLUMNS,
  prng,
  uuidv7,
  sqlTime,
  auditPopulation,
  randomUserIds,
  seedAudit,
  seedInBatches,
  createSeedDatabase,
};
