'use strict';
// Audit-log search benchmark, run by hand (not a test):
//
//   node bench/audit-search.js [--db sqlite|mysql] [--rows 1000000] [--samples 300]
//
// Starts the built service (dist/) on a scratch database (a temporary SQLite file, or a fresh
// identity_auditbench_<random> database on mariadb://root@127.0.0.1:3306, dropped afterwards),
// lets it run its migrations, seeds N audit rows straight into audit_logs (multi-row INSERTs in
// transactions, a realistic spread of users, actors, actions, outcomes, IPs and times), then
// measures p50/p99 latency of GET /api/v1/admin/audit-logs for each filter combination over HTTP
// with an admin token — the whole endpoint: routing, token check, permission lookup, query,
// serialization. The same SQL is also timed directly and EXPLAINed, to show which index serves
// it. Prints a table and writes bench/results/audit-search-<db>.md. Target: p99 < 100 ms.
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { sleep, freePort, startNode, waitForHttp, stopChild, isRunning, logTail } = require('./lib/processes');
const { machine } = require('./lib/report');
const { startMessageSinks } = require('./lib/message-sinks');
const { SERVICE_MAIN, writeSigningKey, serviceEnv } = require('./lib/service');
const { AUDIT_COLUMNS, DAY_MS, sqlTime, prng, auditPopulation, randomUserIds, seedAudit, createSeedDatabase } = require('./lib/seed');

const ROOT = path.resolve(__dirname, '..');
const RESULTS_DIR = path.join(__dirname, 'results');
const TARGET_P99_MS = 100;
const SPAN_DAYS = 60;

const log = (message) => process.stderr.write(`[audit-bench] ${message}\n`);

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      db: { type: 'string', default: 'sqlite' },
      rows: { type: 'string', default: '1000000' },
      samples: { type: 'string', default: '300' },
      'mysql-url': { type: 'string', default: process.env.BENCH_MYSQL_URL ?? 'mariadb://root@127.0.0.1:3306/' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write('usage: node bench/audit-search.js [--db sqlite|mysql] [--rows N] [--samples N] [--mysql-url URL]\n');
    process.exit(0);
  }
  if (!['sqlite', 'mysql'].includes(values.db)) throw new Error('--db must be sqlite or mysql');
  const rows = Number(values.rows);
  const samples = Number(values.samples);
  if (!Number.isInteger(rows) || rows < 1000 || rows > 50_000_000) throw new Error('--rows must be an integer from 1000 to 50000000');
  if (!Number.isInteger(samples) || samples < 20 || samples > 10_000) throw new Error('--samples must be an integer from 20 to 10000');
  return { db: values.db, rows, samples, mysqlUrl: values['mysql-url'] };
}

/**
 * Applies to audit_logs what the entity declares and the committed migrations lack (an index
 * change awaiting its migration), so the bench measures the schema as the code means it. Once
 * the migration exists this finds nothing; the results list whatever was applied.
 */
async function alignAuditSchema(databaseUrl) {
  require('reflect-metadata');
  const { DataSource } = require('typeorm');
  const { buildDataSourceOptions, loadDatabaseConfig, pendingSchemaChanges } = require(path.join(ROOT, 'dist/libs/database/src'));
  const { ENTITIES } = require(path.join(ROOT, 'dist/apps/identity-api/src/persistence'));
  const dataSource = new DataSource(buildDataSourceOptions(loadDatabaseConfig({ DATABASE_URL: databaseUrl }), ENTITIES));
  await dataSource.initialize();
  try {
    const { up } = await pendingSchemaChanges(dataSource);
    const audit = up.filter((query) => /audit_logs/.test(query.query));
    for (const query of audit) await dataSource.query(query.query, query.parameters);
    return audit.map((query) => query.query);
  } finally {
    await dataSource.destroy();
  }
}

// --- The queries, as the admin endpoint issues them ----------------------------------------------

const SELECT = `SELECT ${AUDIT_COLUMNS.map((column) => `a.${column}`).join(', ')} FROM audit_logs a`;

/**
 * What AuditQueryService runs for a filter (libs/audit/src/audit-query.service.ts): equality
 * filters, the time range and the keyset bound, newest first, one row more than the page.
 * Several actions without a user, actor or IP filter run as one query per action.
 */
function sqlFor(query, limit, dialect) {
  const actions = query.action ? query.action.split(',') : [];
  const fanOut = actions.length > 1 && !query.userId && !query.actorId && !query.ip;
  return (fanOut ? actions.map((action) => [action]) : [actions]).map((subset) => {
    const where = [];
    const params = [];
    const add = (condition, ...values) => {
      where.push(condition);
      params.push(...values);
    };
    // On SQLite, equality terms other than the most selective one carry a unary + (see the service).
    const lead = query.userId ? 'user_id' : query.actorId ? 'actor_id' : query.ip ? 'ip' : 'action';
    const column = (name) => `${dialect === 'sqlite' && name !== lead ? '+' : ''}a.${name}`;
    if (query.userId) add(`${column('user_id')} = ?`, query.userId);
    if (query.actorId) add(`${column('actor_id')} = ?`, query.actorId);
    if (query.ip) add(`${column('ip')} = ?`, query.ip);
    if (subset.length === 1) add(`${column('action')} = ?`, subset[0]);
    else if (subset.length) add(`${column('action')} IN (${subset.map(() => '?').join(', ')})`, ...subset);
    if (query.success !== undefined) add('a.success = ?', query.success === 'true' ? 1 : 0);
    if (query.from) add('a.created_at >= ?', sqlTime(Date.parse(query.from)));
    if (query.to) add('a.created_at < ?', sqlTime(Date.parse(query.to)));
    if (query.after) add('a.created_at <= ? AND (a.created_at < ? OR a.id < ?)', query.after.time, query.after.time, query.after.id);
    return {
      sql: `${SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY a.created_at DESC, a.id DESC LIMIT ${limit + 1}`,
      params,
    };
  });
}

/** Each case draws fresh parameter values per request, so no single row stays hot in a cache. */
function cases(pop) {
  const random = prng(23);
  const any = (list) => list[Math.floor(random() * list.length)];
  const user = () => (random() < 0.5 ? any(pop.heavyUsers) : any(pop.users));
  const day = () => {
    const start = pop.start + Math.floor(random() * (SPAN_DAYS - 1)) * DAY_MS;
    return { from: new Date(start).toISOString(), to: new Date(start + DAY_MS).toISOString() };
  };
  const week = () => {
    const start = pop.start + Math.floor(random() * (SPAN_DAYS - 7)) * DAY_MS;
    return { from: new Date(start).toISOString(), to: new Date(start + 7 * DAY_MS).toISOString() };
  };
  return [
    ['no filter', () => ({})],
    ['userId', () => ({ userId: user() })],
    ['actorId (admin)', () => ({ actorId: any(pop.admins) })],
    ['action (common: login.failed)', () => ({ action: 'login.failed' })],
    ['action (rare: token.reuse_detected)', () => ({ action: 'token.reuse_detected' })],
    ['action list (3)', () => ({ action: 'login.failed,token.reuse_detected,password.changed' })],
    ['success=false', () => ({ success: 'false' })],
    ['ip', () => ({ ip: random() < 0.5 ? any(pop.busyIps) : any(pop.ips) })],
    ['from/to (one day)', () => day()],
    ['userId + action', () => ({ userId: user(), action: 'login.succeeded' })],
    ['userId + rare action (worst case)', () => ({ userId: any(pop.heavyUsers), action: 'token.reuse_detected' })],
    ['userId + success=false + week', () => ({ userId: user(), success: 'false', ...week() })],
    ['action + success + from/to', () => ({ action: 'user.updated', success: 'true', ...week() })],
    ['ip + success=false', () => ({ ip: any(pop.busyIps), success: 'false' })],
    ['actorId + action list', () => ({ actorId: any(pop.admins), action: 'user.deactivated,user.roles_changed' })],
    ['success=false, 20th page (cursor)', () => ({ success: 'false', page: 20 })],
  ];
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (!fs.existsSync(SERVICE_MAIN)) throw new Error(`${SERVICE_MAIN} missing: run \`npx nest build identity-api\` first`);
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'identity-auditbench-'));
  let database;
  let client;
  let service;
  let sinks;
  const cleanup = async () => {
    await stopChild(service);
    await sinks?.close();
    await client?.close().catch(() => undefined);
    if (database) await database.drop().catch((error) => log(`could not drop the bench database: ${error.message}`));
    fs.rmSync(tmpDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => cleanup().finally(() => process.exit(130)));
  try {
    database = await createSeedDatabase(options, tmpDir);
    const keysDir = path.join(tmpDir, 'keys');
    writeSigningKey(keysDir, 'RS256');
    const admin = { identifier: 'audit-bench-admin@example.com', password: randomBytes(18).toString('base64url') };
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    sinks = await startMessageSinks();
    log(`starting the service on ${database.description}`);
    service = startNode('identity-api', [SERVICE_MAIN], {
      env: {
        ...serviceEnv({ port, keysDir, databaseUrl: database.url, admin, sinks }),
        // The seeded history must not be purged by the hourly job while measuring.
        AUDIT_RETENTION_DAYS: '3650',
      },
      cwd: tmpDir,
      logFile: path.join(tmpDir, 'service.log'),
    });
    await waitForHttp(service, `${baseUrl}/health/ready`, 60_000);

    const aligned = await alignAuditSchema(database.url);
    for (const statement of aligned) log(`schema: the entity declares what the migrations lack yet; applied: ${statement}`);
    const pop = auditPopulation({ rows: options.rows, users: randomUserIds(20_000), spanDays: SPAN_DAYS });
    client = await database.connect();
    log(`seeding ${options.rows.toLocaleString('en-US')} audit rows over ${SPAN_DAYS} days`);
    const seedSeconds = await seedAudit(client, pop);
    if (client.dialect === 'mysql') await client.query('ANALYZE TABLE audit_logs');
    const [{ count }] = await client.query('SELECT COUNT(*) AS count FROM audit_logs');
    // Idle keep-alive connections were closed by the server meanwhile; let the client notice.
    await sleep(200);

    let token;
    let tokenAt = 0;
    const authorization = async () => {
      if (Date.now() - tokenAt > 5 * 60_000) {
        for (let attempt = 0; ; attempt++) {
          const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(admin),
          });
          if (response.ok) {
            token = (await response.json()).accessToken;
            tokenAt = Date.now();
            break;
          }
          if (attempt >= 20) throw new Error(`admin login failed: ${response.status} ${await response.text()}`);
          await sleep(250);
        }
      }
      return `Bearer ${token}`;
    };
    const get = async (query) => {
      const search = new URLSearchParams({ limit: '50', ...query });
      const started = process.hrtime.bigint();
      const response = await fetch(`${baseUrl}/api/v1/admin/audit-logs?${search}`, { headers: { authorization: await authorization() } });
      const body = await response.json();
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (response.status !== 200) throw new Error(`GET audit-logs?${search}: ${response.status} ${JSON.stringify(body)}`);
      return { ms, body };
    };

    const results = [];
    for (const [name, draw] of cases(pop)) {
      const http = [];
      const sql = [];
      let items = 0;
      let plan = '';
      for (let sample = -Math.min(20, Math.floor(options.samples / 10)); sample < options.samples; sample++) {
        const { page = 1, ...query } = draw();
        // Deep pages: walk to the page through the API (untimed), time the last step.
        let cursor;
        let after;
        for (let p = 1; p < page; p++) {
          const { body } = await get({ ...query, ...(cursor ? { cursor } : {}) });
          cursor = body.nextCursor;
          const last = body.items[body.items.length - 1];
          after = { time: sqlTime(Date.parse(last.createdAt)), id: last.id };
        }
        const { ms, body } = await get({ ...query, ...(cursor ? { cursor } : {}) });
        const statements = sqlFor({ ...query, after }, 50, client.dialect);
        const sqlStarted = process.hrtime.bigint();
        for (const statement of statements) await client.query(statement.sql, statement.params);
        const sqlMs = Number(process.hrtime.bigint() - sqlStarted) / 1e6;
        if (sample < 0) continue;
        http.push(ms);
        sql.push(sqlMs);
        items += body.items.length;
        if (!plan) {
          const first = await client.explain(statements[0].sql, statements[0].params);
          plan = statements.length > 1 ? `${statements.length} queries, one per action, each: ${first}` : first;
        }
      }
      http.sort((a, b) => a - b);
      sql.sort((a, b) => a - b);
      const row = {
        name,
        p50: percentile(http, 0.5),
        p99: percentile(http, 0.99),
        max: http[http.length - 1],
        sqlP50: percentile(sql, 0.5),
        sqlP99: percentile(sql, 0.99),
        avgItems: items / options.samples,
        plan,
      };
      results.push(row);
      log(`${name}: p50 ${row.p50.toFixed(1)} ms, p99 ${row.p99.toFixed(1)} ms (SQL p99 ${row.sqlP99.toFixed(1)} ms) — ${plan}`);
    }

    // Aggregates over a range of (action, created_at); an admin's dashboard, not a search.
    const reports = [];
    for (const days of [30, 365]) {
      const times = [];
      let failures = 0;
      for (let sample = -3; sample < Math.min(50, options.samples); sample++) {
        const started = process.hrtime.bigint();
        const response = await fetch(`${baseUrl}/api/v1/admin/reports/failed-logins?days=${days}`, {
          headers: { authorization: await authorization() },
        });
        const body = await response.json();
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (response.status !== 200) throw new Error(`failed-logins report: ${response.status} ${JSON.stringify(body)}`);
        if (sample < 0) continue;
        times.push(ms);
        failures = body.items.reduce((sum, item) => sum + item.failures, 0);
      }
      times.sort((a, b) => a - b);
      // The statement AuditQueryService.dailyCounts runs.
      const day = client.dialect === 'sqlite' ? 'date(a.created_at)' : "DATE_FORMAT(a.created_at, '%Y-%m-%d')";
      const since = sqlTime(Math.floor(Date.now() / DAY_MS) * DAY_MS - (days - 1) * DAY_MS);
      const plan = await client.explain(
        `SELECT ${day} AS day, COUNT(*) AS count, COUNT(DISTINCT a.user_id) AS distinctUsers FROM audit_logs a ` +
          `WHERE a.action = ? AND a.created_at >= ? GROUP BY ${day}`,
        ['login.failed', since],
      );
      const row = {
        plan,
        name: `failed-logins?days=${days}`,
        p50: percentile(times, 0.5),
        p99: percentile(times, 0.99),
        max: times.at(-1),
        samples: times.length,
        failures,
      };
      reports.push(row);
      log(`${row.name}: p50 ${row.p50.toFixed(1)} ms, p99 ${row.p99.toFixed(1)} ms over ${failures} failed logins`);
    }

    const report = markdown({
      reports,
      options,
      database,
      machine: machine(database.description),
      count: Number(count),
      seedSeconds,
      results,
      aligned,
    });
    process.stdout.write(`${report}\n`);
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    const file = path.join(RESULTS_DIR, `audit-search-${options.db}.md`);
    fs.writeFileSync(`${file}.tmp`, `${report}\n`);
    fs.renameSync(`${file}.tmp`, file);
    log(`written to ${path.relative(ROOT, file)}`);
    const failing = results.filter((row) => row.p99 >= TARGET_P99_MS);
    if (failing.length) log(`p99 at or above ${TARGET_P99_MS} ms: ${failing.map((row) => row.name).join(', ')}`);
  } catch (error) {
    if (service && !isRunning(service))
      log(`the service exited (code ${service.exitCode}, signal ${service.signalCode}):\n${logTail(service, 40)}`);
    throw error;
  } finally {
    await cleanup();
  }
}

function markdown({ options, database, machine: m, count, seedSeconds, results, aligned, reports }) {
  const f = (value) => (value < 10 ? value.toFixed(2) : value.toFixed(1));
  const lines = [
    `# Audit search benchmark — ${options.db}`,
    '',
    `${new Date().toISOString()} · ${count.toLocaleString('en-US')} audit rows (seeded in ${seedSeconds.toFixed(0)} s) · ` +
      `${database.description} · ${m.cpuModel}, ${m.logicalCpus} CPUs, ${m.memoryGiB} GiB · Node ${m.node}`,
    '',
    `\`node bench/audit-search.js --db ${options.db} --rows ${options.rows} --samples ${options.samples}\`. Each row: ${options.samples} ` +
      'sequential `GET /api/v1/admin/audit-logs?limit=50&…` requests with an admin token (after a warm-up), parameter values drawn ' +
      'afresh for each request; latency measured in the client over keep-alive HTTP, so it includes the token check, the permission ' +
      'lookup and serialization. "SQL" times the same statement(s) directly on a separate connection. Target: p99 < 100 ms.',
    '',
    '| Filter | HTTP p50 ms | HTTP p99 ms | max ms | SQL p50 ms | SQL p99 ms | rows/page | plan |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...results.map(
      (r) =>
        `| ${r.name} | ${f(r.p50)} | ${r.p99 >= TARGET_P99_MS ? `**${f(r.p99)}**` : f(r.p99)} | ${f(r.max)} | ${f(r.sqlP50)} | ${f(r.sqlP99)} | ${r.avgItems.toFixed(1)} | ${r.plan.replace(/\|/g, '/')} |`,
    ),
    '',
    'Reports (an aggregate over the (action, created_at) range of login.failed, not a paged search; not part of the target):',
    '',
    '| Report | HTTP p50 ms | HTTP p99 ms | max ms | samples | failed logins counted | plan |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...reports.map(
      (r) =>
        `| ${r.name} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.max)} | ${r.samples} | ${r.failures.toLocaleString('en-US')} | ${r.plan.replace(/\|/g, '/')} |`,
    ),
    '',
    'Data: 20,000 users (1 % of them cause 20 % of the events), 12 admins acting on users, 40,000 client IPs (20 busy NAT ' +
      'addresses carry 10 % of the traffic), 60 days of history in time order with UUIDv7 ids; actions: 36 % token.refreshed, ' +
      '30 % login.succeeded, 12 % login.failed (a third of them unknown identifiers, without user), 8 % logout, then a long tail ' +
      'down to token.reuse_detected at 0.03 %. The seeding connection skips the users foreign key (the user ids are not rows of ' +
      '`users`); the service reads the table as it would its own.' +
      (options.db === 'mysql'
        ? ' `ANALYZE TABLE` ran after seeding (InnoDB would refresh its statistics by itself after that many changes).'
        : ' No `ANALYZE`: the service never runs it, so SQLite plans without statistics.'),
    ...(aligned.length
      ? [
          '',
          'Schema: the migrations did not yet have what the entity declares for audit_logs; the bench applied it first: ' +
            aligned.map((statement) => `\`\` ${statement.trim()} \`\``).join('; ') +
            '.',
        ]
      : []),
  ];
  return lines.join('\n');
}

main().catch((error) => {
  log(error.stack ?? error.message);
  process.exitCode = 1;
});
