'use strict';
// The measured service: its build, a scratch database, a signing key and the production-like
// environment it runs with. Shared by the benchmark (run.js) and the soak test (soak.js).
const { spawnSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const SERVICE_MAIN = path.join(ROOT, 'dist/apps/identity-api/src/main.js');

const log = (message) => process.stderr.write(`[bench] ${message}\n`);
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The `parseArgs` options every harness takes: which database, and whether to build first. */
const SERVICE_OPTIONS = {
  db: { type: 'string', default: 'sqlite' },
  'mysql-url': { type: 'string', default: process.env.BENCH_MYSQL_URL ?? 'mariadb://root@127.0.0.1:3306/' },
  build: { type: 'boolean', default: false },
  'no-build': { type: 'boolean', default: false },
};

/** Checks those options (the MySQL server's address is checked when the database is made). */
function serviceOptions(values) {
  if (!['sqlite', 'mysql'].includes(values.db)) throw new Error('--db must be sqlite or mysql');
  return {
    db: values.db,
    mysqlUrl: values['mysql-url'],
    build: values['no-build'] ? 'never' : values.build ? 'always' : 'if-stale',
  };
}

/** Newest mtime of the TypeScript the API is compiled from. */
function newestSourceMtime() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(full);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
        newest = Math.max(newest, fs.statSync(full).mtimeMs);
      }
    }
  };
  walk(path.join(ROOT, 'apps/identity-api/src'));
  walk(path.join(ROOT, 'libs'));
  return newest;
}

/**
 * Builds when dist is missing, and also when sources are newer than it: benchmarking yesterday's
 * build by accident is the costlier mistake. A failed rebuild over an existing dist is a warning
 * (someone's half-finished edit), a failed first build is fatal.
 */
function ensureBuild(mode, warnings) {
  const exists = fs.existsSync(SERVICE_MAIN);
  if (mode === 'never') {
    if (!exists) throw new Error(`${SERVICE_MAIN} missing; run without --no-build`);
    return;
  }
  const stale = exists && newestSourceMtime() > fs.statSync(SERVICE_MAIN).mtimeMs;
  if (exists && !stale && mode !== 'always') return;
  log(exists ? (stale ? 'sources newer than dist: rebuilding' : 'rebuilding (--build)') : 'no build found: building');
  const nest = path.join(ROOT, 'node_modules/@nestjs/cli/bin/nest.js');
  const result = spawnSync(process.execPath, [nest, 'build', 'identity-api'], { cwd: ROOT, stdio: ['ignore', 2, 2], timeout: 300_000 });
  if (result.status === 0) return;
  if (!exists) throw new Error('nest build identity-api failed');
  warnings.push('`nest build identity-api` failed; the existing (stale) build in dist/ was benchmarked.');
  log('build failed; continuing with the existing dist (see warnings)');
}

function gitInfo() {
  const git = (...args) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8', timeout: 10_000 }).stdout?.trim() ?? '';
  return { commit: git('rev-parse', '--short', 'HEAD') || 'unknown', dirty: git('status', '--porcelain', '--', 'apps', 'libs') !== '' };
}

/**
 * A signing key made by the service's own key store (dist/, built before any run), in the
 * directory format it reads, so the bench never drifts from what the service accepts.
 */
function writeSigningKey(dir, algorithm) {
  const { generateSigningKey } = require(path.join(ROOT, 'dist/libs/sessions/src/key-store.js'));
  generateSigningKey(dir, algorithm);
}

async function createDatabase(options, tmpDir) {
  if (options.db === 'sqlite') {
    const Database = require('better-sqlite3');
    const probe = new Database(':memory:');
    const version = probe.prepare('select sqlite_version() as v').get().v;
    probe.close();
    return {
      url: `sqlite:${path.join(tmpDir, 'bench.sqlite')}`,
      description: `SQLite ${version} (better-sqlite3, WAL)`,
      drop: async () => {},
    };
  }
  const mysql = require('mysql2/promise');
  // The harness creates and drops a database there, and a remote server would measure the network.
  const server = new URL(options.mysqlUrl.replace(/^mariadb:/, 'mysql:'));
  if (!LOCAL_HOSTS.has(server.hostname)) throw new Error('--mysql-url must point at this machine (127.0.0.1)');
  server.pathname = '/';
  const connect = () => mysql.createConnection({ uri: server.toString(), connectTimeout: 5000 });
  const name = `identity_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = await connect();
  let version;
  let bufferPoolMiB;
  try {
    [[{ version, bufferPoolMiB }]] = await admin.query('SELECT VERSION() AS version, @@innodb_buffer_pool_size / 1048576 AS bufferPoolMiB');
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.end();
  }
  const url = new URL(options.mysqlUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    description: `${/mariadb/i.test(version) ? 'MariaDB' : 'MySQL'} ${version}, InnoDB buffer pool ${Number(bufferPoolMiB)} MiB (database ${name})`,
    drop: async () => {
      const connection = await connect();
      try {
        await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await connection.end();
      }
    },
  };
}

/** Settings that are part of the experiment: passed on from the shell, recorded with the results. */
const TUNING_KNOBS = [
  'UV_THREADPOOL_SIZE',
  'DATABASE_POOL_SIZE',
  'JWT_ALGORITHM',
  'WORKER_THREAD_NICE',
  'AUTH_CACHE_MS',
  'MALLOC_ARENA_MAX',
  'GLIBC_TUNABLES',
  'NODE_OPTIONS',
];

const isTuningKnob = (name) => TUNING_KNOBS.includes(name) || name.startsWith('ARGON2_');

/** The tuning knobs (argon2 parameters included) a service environment sets, for the report. */
function tuningOf(env) {
  return Object.fromEntries(Object.entries(env).filter(([name]) => isTuningKnob(name)));
}

/**
 * Production settings, built from scratch rather than inherited, so a developer's shell
 * (REDIS_URL, CORS_ORIGINS, LOG_LEVEL=debug…) cannot change what is measured. Knobs that are
 * part of the experiment (argon2 cost, threadpool, pool size, algorithm) pass through.
 */
function serviceEnv({ port, keysDir, databaseUrl, admin, sinks }) {
  const env = { NODE_ENV: 'production' };
  for (const name of Object.keys(process.env)) {
    if (['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR'].includes(name) || isTuningKnob(name)) env[name] = process.env[name];
  }
  // As the Dockerfile and `npm run start:prod` set them (see "Memory" in bench/README.md).
  env.MALLOC_ARENA_MAX ??= '1';
  env.GLIBC_TUNABLES ??= 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=50331648';
  env.NODE_OPTIONS ??= '--max-old-space-size=384';
  return {
    ...env,
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    JWT_KEYS_DIR: keysDir,
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    ADMIN_EMAIL: admin.identifier,
    ADMIN_PASSWORD: admin.password,
    // Secrets production insists on, fresh per run.
    OTP_SECRET: randomBytes(32).toString('base64url'),
    MFA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    MAIL_URL: sinks.mailUrl,
    SMS_URL: sinks.smsUrl,
    // The load signs in one account from one address thousands of times: throttling and lockouts
    // would measure the 429 path (DESIGN §11: off for load tests only).
    RATE_LIMIT_ENABLED: 'false',
  };
}

module.exports = {
  ROOT,
  SERVICE_MAIN,
  SERVICE_OPTIONS,
  serviceOptions,
  ensureBuild,
  gitInfo,
  writeSigningKey,
  createDatabase,
  serviceEnv,
  tuningOf,
};
