'use strict';
// Soak test: `npm run soak [-- --minutes 10] [-- --db mysql]`. A steady, moderate mix of the
// service's traffic for a long while, watching for server errors and memory that keeps growing.
// Passes with zero 5xx and the resident memory of the last minute within 10 % of its lowest
// minute after the first (warm-up: JIT, pools, caches). Results go to bench/results/.
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { JSON_HEADERS } = require('./lib/load');
const { sleep, freePort, startNode, waitForHttp, stopChild, memory, isRunning, logTail } = require('./lib/processes');
const { machine } = require('./lib/report');
const { startMessageSinks } = require('./lib/message-sinks');
const {
  SERVICE_MAIN,
  SERVICE_OPTIONS,
  serviceOptions,
  ensureBuild,
  gitInfo,
  writeSigningKey,
  createDatabase,
  serviceEnv,
} = require('./lib/service');

const RESULTS_DIR = path.join(__dirname, 'results');
const SAMPLE_EVERY_MS = 10_000;
const ALLOWED_RSS_GROWTH = 0.1;
/** Requests per second of each kind: moderate, well under what the machine can serve. */
const MIX = { login: 5, me: 100, refresh: 10, register: 2 };

const log = (message) => process.stderr.write(`[soak] ${message}\n`);

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...SERVICE_OPTIONS,
      minutes: { type: 'string', default: '10' },
    },
  });
  const minutes = Number(values.minutes);
  if (!Number.isInteger(minutes) || minutes < 3 || minutes > 240) throw new Error('--minutes must be an integer from 3 to 240');
  return { ...serviceOptions(values), minutes };
}

/** Counts answers by status; a request that got no answer counts as `error`. */
function tally() {
  const counts = {};
  return {
    counts,
    add: (key) => (counts[key] = (counts[key] ?? 0) + 1),
    serverErrors: () => Object.entries(counts).reduce((sum, [key, n]) => sum + (key === 'error' || Number(key) >= 500 ? n : 0), 0),
  };
}

/**
 * Sends `perSecond` requests a second (open loop) until `until`, each made by `send`, which
 * resolves with the HTTP status. At most `perSecond` requests are in flight: a stalled service
 * shows up as skipped requests rather than an ever-growing queue in this process.
 */
async function paced(perSecond, until, send, counts) {
  let inFlight = 0;
  const interval = 1000 / perSecond;
  for (let due = Date.now(); due < until; due += interval) {
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    if (inFlight >= perSecond) {
      counts.add('skipped');
      continue;
    }
    inFlight++;
    send()
      .then((status) => counts.add(String(status)))
      .catch(() => counts.add('error'))
      .finally(() => inFlight--);
  }
  while (inFlight > 0) await sleep(50);
}

const post = (url, body) =>
  fetch(url, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });

/** One refresh token chain per slot: each answer's token is the next request's. */
function refreshChains(serviceUrl, admin, size) {
  const chains = new Array(size).fill(null);
  let next = 0;
  const signIn = async () => (await (await post(`${serviceUrl}/api/v1/auth/login`, admin)).json()).refreshToken;
  return async () => {
    const slot = next++ % size;
    chains[slot] ??= await signIn();
    const response = await post(`${serviceUrl}/api/v1/auth/refresh`, { refreshToken: chains[slot] });
    const body = await response.json().catch(() => ({}));
    // A chain whose answer was lost starts over from a new sign-in.
    chains[slot] = response.status === 200 ? body.refreshToken : null;
    return response.status;
  };
}

/**
 * Growth of the last minute's mean RSS over the lowest minute mean after the first (warm-up)
 * minute. The lowest rather than a fixed minute: a major garbage collection can drop RSS by a
 * tenth at any time, and a baseline taken just before one would hide later growth.
 */
function rssVerdict(samples, minutes) {
  const minuteMean = (minute) => {
    const values = samples.filter((s) => s.rssMiB && Math.ceil(s.atSeconds / 60) === minute).map((s) => s.rssMiB);
    return values.length ? values.reduce((sum, v) => sum + v, 0) / values.length : NaN;
  };
  const settled = Array.from({ length: minutes - 2 }, (_, i) => minuteMean(i + 2)).filter(Number.isFinite);
  const baseline = Math.min(...settled);
  const lastMinute = minuteMean(minutes);
  return { baselineMiB: baseline, lastMinuteMiB: lastMinute, growth: lastMinute / baseline - 1 };
}

function markdown(results) {
  const { rss, traffic } = results;
  const rows = Object.entries(traffic).map(
    ([kind, t]) =>
      `| ${kind} | ${MIX[kind]}/s | ${Object.entries(t.counts)
        .map(([status, n]) => `${status}: ${n}`)
        .join(', ')} |`,
  );
  return [
    `## Soak — ${results.db} — ${results.startedAt}`,
    '',
    `${results.machine.cpuModel}, ${results.machine.availableParallelism} cores, Node ${results.machine.node}, ${results.machine.db}, commit ${results.git.commit}${results.git.dirty ? ' (uncommitted changes)' : ''}, ${results.minutes} min.`,
    '',
    '| Traffic | Rate | Answers by status |',
    '| --- | --- | --- |',
    ...rows,
    '',
    `Server errors (5xx or no answer): **${results.serverErrors}**. RSS: ${rss.baselineMiB.toFixed(0)} MiB at its lowest after minute 1, ` +
      `${rss.lastMinuteMiB.toFixed(0)} MiB in the last minute (**${(rss.growth * 100).toFixed(1)} %**; allowed ${ALLOWED_RSS_GROWTH * 100} %). ` +
      `Verdict: **${results.passed ? 'pass' : 'FAIL'}**.`,
    '',
    `RSS every ${SAMPLE_EVERY_MS / 1000} s (MiB): ${results.samples.map((s) => s.rssMiB?.toFixed(0)).join(' ')}`,
    '',
  ].join('\n');
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const warnings = [];
  ensureBuild(options.build, warnings);
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'identity-soak-'));
  const sinks = await startMessageSinks();
  const database = await createDatabase(options, tmpDir);
  let service;
  try {
    const keysDir = path.join(tmpDir, 'keys');
    writeSigningKey(keysDir, process.env.JWT_ALGORITHM ?? 'RS256');
    const admin = { identifier: 'soak-admin@example.com', password: randomBytes(18).toString('base64url') };
    const port = await freePort();
    const serviceUrl = `http://127.0.0.1:${port}`;
    service = startNode('identity-api', [SERVICE_MAIN], {
      env: serviceEnv({ port, keysDir, databaseUrl: database.url, admin, sinks }),
      cwd: tmpDir,
      logFile: path.join(tmpDir, 'service.log'),
    });
    await waitForHttp(service, `${serviceUrl}/health/ready`, 60_000);
    let accessToken;
    for (let attempt = 0; !accessToken && attempt < 50; attempt++) {
      accessToken = (await (await post(`${serviceUrl}/api/v1/auth/login`, admin)).json()).accessToken;
      if (!accessToken) await sleep(200);
    }

    const startedAt = new Date();
    const until = Date.now() + options.minutes * 60_000;
    log(`${options.minutes} min of ${JSON.stringify(MIX)} requests/s against ${options.db}`);
    const traffic = { login: tally(), me: tally(), refresh: tally(), register: tally() };
    let registrations = 0;
    const samples = [];
    const sampler = setInterval(() => {
      samples.push({ atSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000), ...memory(service.pid) });
      if (!isRunning(service)) log('the service died');
    }, SAMPLE_EVERY_MS);
    await Promise.all([
      paced(MIX.login, until, async () => (await post(`${serviceUrl}/api/v1/auth/login`, admin)).status, traffic.login),
      paced(
        MIX.me,
        until,
        async () => {
          const response = await fetch(`${serviceUrl}/api/v1/me`, {
            headers: { authorization: `Bearer ${accessToken}` },
            signal: AbortSignal.timeout(10_000),
          });
          await response.arrayBuffer();
          return response.status;
        },
        traffic.me,
      ),
      paced(MIX.refresh, until, refreshChains(serviceUrl, admin, 10), traffic.refresh),
      paced(
        MIX.register,
        until,
        async () => {
          const email = `soak-${++registrations}@example.com`;
          return (await post(`${serviceUrl}/api/v1/auth/register`, { email, password: 'Quiet harbour lantern', displayName: 'Soak' }))
            .status;
        },
        traffic.register,
      ),
      // A fresh access token every five minutes: they live ACCESS_TOKEN_TTL (15 min).
      (async () => {
        while (Date.now() < until - 5 * 60_000) {
          await sleep(5 * 60_000);
          accessToken = (await (await post(`${serviceUrl}/api/v1/auth/login`, admin)).json()).accessToken ?? accessToken;
        }
      })(),
    ]);
    clearInterval(sampler);
    const serverErrors = Object.values(traffic).reduce((sum, t) => sum + t.serverErrors(), 0);
    const rss = rssVerdict(samples, options.minutes);
    const results = {
      db: options.db,
      startedAt: startedAt.toISOString(),
      minutes: options.minutes,
      machine: machine(database.description),
      git: gitInfo(),
      traffic: Object.fromEntries(Object.entries(traffic).map(([kind, t]) => [kind, { counts: t.counts }])),
      messagesReceived: sinks.counts,
      serverErrors,
      rss,
      samples,
      warnings,
      passed: serverErrors === 0 && rss.growth <= ALLOWED_RSS_GROWTH && isRunning(service),
    };
    const text = markdown(results);
    process.stdout.write(`${text}\n`);
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    const stem = path.join(
      RESULTS_DIR,
      `${startedAt.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-')}-soak-${options.db}`,
    );
    fs.writeFileSync(`${stem}.json`, `${JSON.stringify(results, null, 2)}\n`);
    fs.writeFileSync(`${stem}.md`, text);
    if (!results.passed) {
      log(`service log (last lines):\n${logTail(service)}`);
      process.exitCode = 1;
    }
  } finally {
    if (service) await stopChild(service);
    await database.drop();
    await sinks.close();
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  log(`failed: ${error.stack ?? error}`);
  process.exit(1);
});
