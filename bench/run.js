'use strict';
// Benchmark harness: `npm run bench [-- --db mysql] [-- --duration 10]`. See bench/README.md.
// Progress goes to stderr; the result table to stdout and to bench/results/.
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { argon2Params, measureArgon2Limit } = require('./lib/argon2-limit');
const { JSON_HEADERS, cannon, summarize, pacedProbe, loginMany, chainedRefreshOptions, otpSignIns } = require('./lib/load');
const {
  sleep,
  freePort,
  startNode,
  waitForHttp,
  stopChild,
  cpuSeconds,
  machineBusySeconds,
  pidsNamed,
  memory,
  isRunning,
  logTail,
} = require('./lib/processes');
const { machine, markdown } = require('./lib/report');
const { startMessageSinks } = require('./lib/message-sinks');
const {
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
} = require('./lib/service');

const RESULTS_DIR = path.join(__dirname, 'results');
// Cores used by processes other than the service and the bench above which a phase is flagged.
const OTHER_LOAD_WARNING = 0.15;

const log = (message) => process.stderr.write(`[bench] ${message}\n`);

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...SERVICE_OPTIONS,
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '10' },
      'login-connections': { type: 'string', default: '8' },
      'probe-rate': { type: 'string', default: '500' },
      'otp-workers': { type: 'string', default: '32' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run bench -- [--db sqlite|mysql] [--duration S] [--connections N] [--login-connections N]\n' +
        '                        [--probe-rate R] [--otp-workers N] [--mysql-url mariadb://root@127.0.0.1:3306/] [--build | --no-build]\n',
    );
    process.exit(0);
  }
  const int = (name, min, max) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be an integer from ${min} to ${max}`);
    return value;
  };
  return {
    ...serviceOptions(values),
    durationSeconds: int('duration', 1, 300),
    connections: int('connections', 1, 1000),
    loginConnections: int('login-connections', 1, 256),
    probeRate: int('probe-rate', 1, 5000),
    otpWorkers: int('otp-workers', 1, 512),
  };
}

// Set for --db mysql: the database server is part of what is measured, not "other" load.
let databasePids = [];
const sumCpu = (pids) => pids.reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0);

/**
 * Runs `work` and adds where the machine's CPU went meanwhile, in cores: the measured server
 * process, the database server (MySQL only; SQLite runs inside the service), this load
 * generating process, and everything else. "Other" well above zero means something else ran on
 * the machine (another build, a test suite) and the numbers understate the service.
 */
async function withCpu(pid, work) {
  const serviceStart = cpuSeconds(pid);
  const databaseStart = sumCpu(databasePids);
  const machineStart = machineBusySeconds();
  const benchStart = process.cpuUsage();
  const wallStart = process.hrtime.bigint();
  const result = await work();
  const wall = Number(process.hrtime.bigint() - wallStart) / 1e9;
  const serviceEnd = cpuSeconds(pid);
  const bench = process.cpuUsage(benchStart);
  const machineBusy = (machineBusySeconds() - machineStart) / wall;
  const serviceCpuCores = serviceStart === null || serviceEnd === null ? null : (serviceEnd - serviceStart) / wall;
  const databaseCpuCores = databasePids.length ? (sumCpu(databasePids) - databaseStart) / wall : null;
  const benchCpuCores = (bench.user + bench.system) / 1e6 / wall;
  const otherCpuCores = Math.max(0, machineBusy - (serviceCpuCores ?? 0) - (databaseCpuCores ?? 0) - benchCpuCores);
  return { ...result, serviceCpuCores, databaseCpuCores, benchCpuCores, otherCpuCores };
}

/**
 * What the service logged (LOG_LEVEL=warn keeps only warnings and errors): entries counted by
 * their first line, stack traces folded into their entry, colour codes stripped.
 */
function logProblems(file, fromByte = 0, toByte = Infinity) {
  let text;
  try {
    text = fs.readFileSync(file).subarray(fromByte, toByte).toString('utf8');
  } catch {
    return { entries: 0, distinct: [], firstEntry: null };
  }
  // eslint-disable-next-line no-control-regex
  const lines = text.replace(/\u001b\[[0-9;]*m/g, '').split('\n');
  const entries = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    const continuation = /^\s+at |^\s*\}|^\s{2,}\S/.test(line) && entries.length;
    if (continuation) entries[entries.length - 1].push(line);
    else entries.push([line]);
  }
  const counts = new Map();
  for (const [head] of entries) {
    const message = entryMessage(head).slice(0, 240);
    counts.set(message, (counts.get(message) ?? 0) + 1);
  }
  return {
    entries: entries.length,
    distinct: [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([message, count]) => ({ count, message })),
    firstEntry: entries[0]?.slice(0, 15).join('\n') ?? null,
  };
}

/** An entry without its time, so that repeats count as one: a JSON line's level, context and message. */
function entryMessage(head) {
  try {
    const entry = JSON.parse(head);
    if (!entry || typeof entry !== 'object') return head;
    return `${entry.level} ${entry.context ? `[${entry.context}] ` : ''}${entry.msg ?? ''}`;
  } catch {
    return head.replace(/^\[Nest\] \d+\s+-\s+.*?(?=(FATAL|ERROR|WARN|LOG)\b)/, '');
  }
}

function addWarnings(results) {
  const { phases: p } = results;
  const check = (label, summary) => {
    const bad = (summary.non2xx ?? 0) + (summary.errors ?? 0) + (summary.skipped ?? 0);
    if (bad)
      results.warnings.push(
        `${label}: ${bad} requests did not get a 2xx (${JSON.stringify(summary.statusCodes)}, errors ${summary.errors ?? 0}).`,
      );
  };
  check('bare GET', p.bare);
  check('bare GET after refresh', p.bareAfter);
  check('/me probe idle', p.meIdle);
  check('login', p.login);
  check('login during /me probe', p.meUnderLogin.login);
  check('/me probe during login load', p.meUnderLogin.probe);
  check('GET /me', p.me);
  check('refresh', p.refresh);
  check('email code sign-in', p.otp);
  const busy = [
    ['argon2 measurement', results.argon2],
    ['bare GET', p.bare],
    ['bare GET after refresh', p.bareAfter],
    ['/me probe idle', p.meIdle],
    ['login', p.login],
    ['login + /me probe', p.meUnderLogin],
    ['GET /me', p.me],
    ['refresh', p.refresh],
    ['email code sign-in', p.otp],
  ].filter(([, phase]) => phase.otherCpuCores > OTHER_LOAD_WARNING);
  if (busy.length) {
    results.warnings.push(
      `Other processes used CPU during: ${busy.map(([label, phase]) => `${label} (${phase.otherCpuCores.toFixed(2)} cores)`).join(', ')}. ` +
        'Those numbers understate the service; rerun on a quiet machine.',
    );
  }
  const setupFailures = Object.values(p.refresh.setupLogins.failures).reduce((sum, n) => sum + n, 0);
  if (setupFailures) {
    results.warnings.push(
      `refresh setup: ${setupFailures} of ${p.refresh.setupLogins.attempts} logins (4 concurrent) failed: ${JSON.stringify(p.refresh.setupLogins.failures)}.`,
    );
  }
  if (p.refresh.chain.chainBreaks)
    results.warnings.push(`refresh: ${p.refresh.chain.chainBreaks} token chains broke (a refresh did not return a new token).`);
  if (p.refresh.chain.parseErrors)
    results.warnings.push(`refresh: ${p.refresh.chain.parseErrors} 200 answers without a parsable refreshToken.`);
}

function timestamp(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}-${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}`;
}

function writeResults(results, text) {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const base = path.join(RESULTS_DIR, `${timestamp(new Date(results.startedAt))}-${results.db}`);
  // Written aside and renamed, so an interrupted run never leaves a half file that looks real.
  for (const [file, content] of [
    [`${base}.json`, JSON.stringify(results, null, 2) + '\n'],
    [`${base}.md`, text + '\n'],
  ]) {
    fs.writeFileSync(`${file}.tmp`, content);
    fs.renameSync(`${file}.tmp`, file);
  }
  return base;
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const startedAt = new Date().toISOString();
  const warnings = [];
  const D = options.durationSeconds;
  const warmupSeconds = Math.min(2, Math.max(1, Math.round(D / 5)));

  // Everything below is bounded, but a wedged child or database must not hold the terminal.
  const deadlineMs = (120 + 10 * D) * 1000;
  const children = [];
  let database;
  let tmpDir;
  let sinks;
  let cleaning;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await Promise.all(children.map((child) => stopChild(child)));
      if (database) await database.drop().catch((error) => log(`could not drop the bench database: ${error.message}`));
      if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
      await sinks?.close();
    })());
  let aborting = false;
  const abort = (reason, code) => {
    aborting = true;
    log(reason);
    const forced = setTimeout(() => process.exit(code), 15_000);
    forced.unref();
    cleanup().finally(() => process.exit(code));
  };
  const watchdog = setTimeout(() => abort(`overall time limit of ${deadlineMs / 1000} s exceeded; stopping`, 2), deadlineMs);
  watchdog.unref();
  process.once('SIGINT', () => abort('interrupted', 130));
  process.once('SIGTERM', () => abort('terminated', 143));

  try {
    ensureBuild(options.build, warnings);

    // Measured before any server starts, on an otherwise idle machine.
    const params = argon2Params();
    log(`measuring argon2id verify CPU time (m=${params.memoryCost} KiB, t=${params.timeCost}, p=${params.parallelism})`);
    const argon2 = await withCpu(null, () => measureArgon2Limit(params));
    // No service yet; benchCpuCores is argon2 itself.
    delete argon2.serviceCpuCores;
    delete argon2.databaseCpuCores;
    log(
      `argon2: ${argon2.cpuMsPerVerify.toFixed(1)} ms CPU per verify → limit ${argon2.limitLoginsPerSecond.toFixed(1)} logins/s on ${argon2.cores} cores`,
    );

    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'identity-bench-'));
    const keysDir = path.join(tmpDir, 'keys');
    writeSigningKey(keysDir, process.env.JWT_ALGORITHM ?? 'RS256');
    database = await createDatabase(options, tmpDir);
    if (options.db === 'mysql') databasePids = pidsNamed(['mariadbd', 'mysqld']);
    const admin = { identifier: 'bench-admin@example.com', password: randomBytes(18).toString('base64url') };
    const [servicePort, barePort] = [await freePort(), await freePort()];
    sinks = await startMessageSinks();
    const serviceUrl = `http://127.0.0.1:${servicePort}`;
    const bareUrl = `http://127.0.0.1:${barePort}`;

    log(`starting the service (${options.db}) and the bare Nest app`);
    // cwd is the scratch directory so that a developer's .env in the repository is not loaded.
    const env = serviceEnv({ port: servicePort, keysDir, databaseUrl: database.url, admin, sinks });
    const service = startNode('identity-api', [SERVICE_MAIN], {
      env,
      cwd: tmpDir,
      logFile: path.join(tmpDir, 'service.log'),
    });
    children.push(service);
    const bare = startNode('bare-nest', [path.join(__dirname, 'bare-nest.js'), String(barePort)], {
      env: { PATH: process.env.PATH, NODE_ENV: 'production' },
      cwd: ROOT,
      logFile: path.join(tmpDir, 'bare.log'),
    });
    children.push(bare);
    await Promise.all([waitForHttp(service, `${serviceUrl}/health/ready`, 60_000), waitForHttp(bare, `${bareUrl}/`, 30_000)]);

    // The admin account is created on bootstrap, possibly just after the port opens.
    let first;
    for (let attempt = 0; ; attempt++) {
      try {
        [first] = (await loginMany(serviceUrl, admin, 1)).responses;
        break;
      } catch (error) {
        if (attempt >= 20) throw error;
        await sleep(250);
      }
    }
    // Password logins use an account of their own. Every sign-in drops what the service caches
    // about its account, so logins of the account whose token the /me probe carries would measure
    // an uncached /me; real sign-ins are spread over many users.
    const signer = { identifier: 'bench-signin@example.com', password: randomBytes(18).toString('base64url') };
    const created = await fetch(`${serviceUrl}/api/v1/admin/users`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, authorization: `Bearer ${first.accessToken}` },
      body: JSON.stringify({ email: signer.identifier, password: signer.password, displayName: 'Bench sign-in' }),
    });
    if (created.status !== 201) throw new Error(`creating the sign-in account answered ${created.status}: ${await created.text()}`);
    const memoryAtReady = memory(service.pid);
    const phases = {};
    const mustRun = () => {
      for (const child of children) if (!isRunning(child)) throw new Error(`${child.benchName} died during the run:\n${logTail(child)}`);
    };

    // The baseline is measured next to each token phase it is compared with: right before
    // GET /me and right after refresh. This machine's speed drifts by tens of percent over minutes,
    // and a ratio of two numbers taken far apart measured the drift too.
    const measureBare = async (label) => {
      log(`bare Nest GET (${label}): ${warmupSeconds} s warm-up + ${D} s`);
      await cannon({ url: `${bareUrl}/`, connections: options.connections, duration: warmupSeconds });
      return withCpu(bare.pid, async () => summarize(await cannon({ url: `${bareUrl}/`, connections: options.connections, duration: D })));
    };

    const probeSeconds = Math.max(1, D - 2);
    // GET /me at a constant rate (open loop): what a token-authenticated call sees, idle and
    // while logins saturate the CPU.
    const meProbe = () =>
      pacedProbe(`${serviceUrl}/api/v1/me`, {
        rate: options.probeRate,
        durationSeconds: probeSeconds,
        headers: { authorization: `Bearer ${first.accessToken}` },
      });
    const meLoad = (duration) => ({
      url: `${serviceUrl}/api/v1/me`,
      headers: { authorization: `Bearer ${first.accessToken}`, 'user-agent': 'identity-bench' },
      connections: options.connections,
      duration,
    });
    // A service just started compiles its hot paths during its first requests.
    await cannon(meLoad(warmupSeconds));
    log(`GET /me at ${options.probeRate}/s, service idle: ${probeSeconds} s`);
    phases.meIdle = await withCpu(service.pid, meProbe);
    mustRun();

    const loginLoad = () => ({
      url: `${serviceUrl}/api/v1/auth/login`,
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify(signer),
      connections: options.loginConnections,
      duration: D,
    });
    log(`password login: ${D} s with ${options.loginConnections} connections`);
    phases.login = await withCpu(service.pid, async () => summarize(await cannon(loginLoad())));
    phases.login.ratioToLimit = phases.login.okPerSecond / argon2.limitLoginsPerSecond;
    mustRun();

    log(`password login ${D} s + GET /me at ${options.probeRate}/s in the middle ${probeSeconds} s`);
    phases.meUnderLogin = await withCpu(service.pid, async () => {
      const [loginResult, probe] = await Promise.all([
        cannon(loginLoad()),
        // Starts after the login queue has filled and ends before it drains.
        sleep(1000).then(meProbe),
      ]);
      const login = summarize(loginResult);
      return { login: { ...login, ratioToLimit: login.okPerSecond / argon2.limitLoginsPerSecond }, probe };
    });
    mustRun();

    phases.bare = await measureBare('before GET /me');
    mustRun();
    log(`GET /me with a bearer token: ${warmupSeconds} s warm-up + ${D} s`);
    await cannon(meLoad(warmupSeconds));
    phases.me = await withCpu(service.pid, async () => summarize(await cannon(meLoad(D))));
    phases.me.ratioToBare = phases.me.okPerSecond / phases.bare.okPerSecond;
    mustRun();

    // One session per connection for the warm-up, one per connection plus as many spares for the run.
    const C = options.connections;
    log(`refresh: ${3 * C} logins for token chains, ${warmupSeconds} s warm-up + ${D} s`);
    const sessions = await loginMany(serviceUrl, admin, 3 * C);
    const refreshTokens = sessions.responses.map((response) => response.refreshToken);
    const warm = chainedRefreshOptions(serviceUrl, refreshTokens.slice(0, C), C);
    await cannon({ ...warm.options, duration: warmupSeconds });
    const chained = chainedRefreshOptions(serviceUrl, refreshTokens.slice(C), C);
    phases.refresh = await withCpu(service.pid, async () => summarize(await cannon({ ...chained.options, duration: D })));
    phases.refresh.chain = chained.stats;
    phases.refresh.setupLogins = { succeeded: sessions.responses.length, attempts: sessions.attempts, failures: sessions.failures };
    mustRun();
    phases.bareAfter = await measureBare('after refresh');
    phases.refresh.ratioToBare = phases.refresh.okPerSecond / phases.bareAfter.okPerSecond;
    await stopChild(bare);
    children.splice(children.indexOf(bare), 1);
    mustRun();

    const otpLoad = (durationSeconds) => otpSignIns(serviceUrl, sinks, { workers: options.otpWorkers, durationSeconds });
    log(
      `email code sign-ins (request, code from the delivered mail, verify): ${warmupSeconds} s warm-up + ${D} s, ${options.otpWorkers} at a time`,
    );
    await otpLoad(warmupSeconds);
    phases.otp = await withCpu(service.pid, () => otpLoad(D));
    mustRun();

    // Requests autocannon abandoned at the end of the last phase are still running in the
    // service; let them finish so that what shutdown logs is about shutdown.
    await sleep(1000);
    const serviceMemory = memory(service.pid);
    const logBytesBeforeStop = fs.statSync(service.logFile).size;
    await Promise.all(children.map((child) => stopChild(child)));
    const serviceLog = {
      duringRun: logProblems(service.logFile, 0, logBytesBeforeStop),
      atShutdown: logProblems(service.logFile, logBytesBeforeStop),
    };
    await cleanup();
    const results = {
      startedAt,
      db: options.db,
      options,
      git: gitInfo(),
      machine: machine(database.description),
      argon2,
      phases,
      service: { settings: tuningOf(env), memoryAtReady, memory: serviceMemory, log: serviceLog },
      warnings,
    };
    addWarnings(results);
    const text = markdown(results);
    const base = writeResults(results, text);
    process.stdout.write(text + '\n');
    log(`results written to ${path.relative(ROOT, base)}.{json,md}`);
  } catch (error) {
    // Stopping the children under a running phase makes it fail; abort() reports and exits.
    if (aborting) return;
    log(`failed: ${error.stack ?? error}`);
    const service = children.find((child) => child.benchName === 'identity-api');
    if (service) {
      await stopChild(service);
      log(`service log (last lines):\n${logTail(service, 40)}`);
    }
    await cleanup();
    process.exit(1);
  }
  process.exit(0);
}

main();
