'use strict';
// Machine description and the Markdown rendering of a run's results.
const os = require('node:os');

function machine(dbDescription) {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    logicalCpus: cpus.length,
    availableParallelism: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE ?? '4 (default)',
    loadAverageAtStart: os.loadavg().map((value) => Math.round(value * 100) / 100),
    db: dbDescription,
  };
}

/** A row of the bare baseline: the framework's ceiling on this machine at that moment. */
const bareRow = (label, phase) => [
  `${label} (${phase.connections} conns)`,
  `${fmt(phase.okPerSecond)} req/s`,
  'baseline',
  '1.00',
  latency(phase.latencyMs),
  problems(phase),
  cores(phase),
];

/** The tuning knobs the service ran with, as a sentence for the report's header. */
const settingsNote = (settings = {}) => {
  const entries = Object.entries(settings);
  return entries.length ? ` Service settings: ${entries.map(([name, value]) => `${name}=${value}`).join(', ')}.` : '';
};

const fmt = (value, digits = 0) =>
  value === null || value === undefined || Number.isNaN(value)
    ? '—'
    : Number(value).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (value) => (value === null || value === undefined ? '—' : `${fmt(value, value < 10 ? 2 : 1)}`);
const latency = (l) => (l ? `${ms(l.p50)} / ${ms(l.p99)}` : '—');
const problems = (s) => {
  if (!s) return '—';
  const bad = (s.non2xx ?? 0) + (s.errors ?? 0) + (s.skipped ?? 0);
  if (!bad) return '0';
  const codes = Object.entries(s.statusCodes ?? {})
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, count]) => `${count}×${code}`);
  if (s.errors) codes.push(`${s.errors} errors${s.timeouts ? ` (${s.timeouts} timeouts)` : ''}`);
  if (s.skipped) codes.push(`${s.skipped} skipped`);
  return codes.join(', ');
};
const cores = (s) =>
  s?.benchCpuCores === undefined
    ? ''
    : [s.serviceCpuCores, s.databaseCpuCores, s.benchCpuCores, s.otherCpuCores]
        .map((v) => (v === null || v === undefined ? '—' : fmt(v, 2)))
        .join(' / ');

function markdown(results) {
  const { machine: m, argon2: a, phases: p, service } = results;
  const params = `m=${a.params.memoryCost} KiB, t=${a.params.timeCost}, p=${a.params.parallelism}`;
  const rows = [
    [
      'argon2id verify, one at a time (' + params + ')',
      `${fmt(a.cpuMsPerVerify, 1)} ms CPU (${fmt(a.wallMsPerVerify, 1)} ms wall)`,
      `${a.cores} cores`,
      '',
      '',
      '',
      '',
    ],
    ['**Login limit** = cores ÷ verify CPU', `**${fmt(a.limitLoginsPerSecond, 1)} logins/s**`, '', '', '', '', ''],
    [
      `argon2id verify alone, ${a.concurrent.concurrency} at a time`,
      `${fmt(a.concurrent.perSecond, 1)} verifies/s (${fmt(a.concurrent.cpuMsPerVerify, 1)} ms CPU each)`,
      `limit ${fmt(a.limitLoginsPerSecond, 1)}/s`,
      fmt(a.concurrent.perSecond / a.limitLoginsPerSecond, 2),
      '',
      '',
      cores(a),
    ],
    [
      `POST /api/v1/auth/login (${p.login.connections} conns)`,
      `${fmt(p.login.okPerSecond, 1)} req/s`,
      `limit ${fmt(a.limitLoginsPerSecond, 1)}/s`,
      `**${fmt(p.login.ratioToLimit, 2)}**`,
      latency(p.login.latencyMs),
      problems(p.login),
      cores(p.login),
    ],
    bareRow('Bare Nest GET / on Fastify', p.bare),
    [
      `GET /api/v1/me, bearer (${p.me.connections} conns)`,
      `${fmt(p.me.okPerSecond)} req/s`,
      `bare ${fmt(p.bare.okPerSecond)}/s`,
      `**${fmt(p.me.ratioToBare, 2)}**`,
      latency(p.me.latencyMs),
      problems(p.me),
      cores(p.me),
    ],
    [
      `POST /api/v1/auth/refresh, chained (${p.refresh.connections} conns)`,
      `${fmt(p.refresh.okPerSecond)} req/s`,
      `bare ${fmt(p.bareAfter.okPerSecond)}/s`,
      `**${fmt(p.refresh.ratioToBare, 2)}**`,
      latency(p.refresh.latencyMs),
      problems(p.refresh) + (p.refresh.chain.chainBreaks ? ` (${p.refresh.chain.chainBreaks} chain breaks)` : ''),
      cores(p.refresh),
    ],
    bareRow('… bare Nest GET again, after refresh', p.bareAfter),
    [
      `Email code sign-in: request → mail → verify (${p.otp.connections} at a time)`,
      `${fmt(p.otp.okPerSecond, 1)} sign-ins/s`,
      'request answered after ≥ 150 ms, on purpose',
      '',
      latency(p.otp.latencyMs),
      problems(p.otp),
      cores(p.otp),
    ],
    [
      '… its steps: request answered; mail arrived; verify',
      'p50 / p99 →',
      '',
      '',
      `${latency(p.otp.steps.requestMs)}; ${latency(p.otp.steps.mailMs)}; ${latency(p.otp.steps.verifyMs)}`,
      '',
      '',
    ],
    [
      `GET /api/v1/me at ${p.meIdle.rate}/s, service idle`,
      'p50 / p99 →',
      '',
      '',
      latency(p.meIdle.latencyMs),
      problems(p.meIdle),
      cores(p.meIdle),
    ],
    [
      `GET /api/v1/me at ${p.meUnderLogin.probe.rate}/s **while logins saturate**`,
      'p50 / p99 →',
      `idle p99 ${ms(p.meIdle.latencyMs.p99)} ms`,
      '',
      `**${latency(p.meUnderLogin.probe.latencyMs)}**`,
      problems(p.meUnderLogin.probe),
      cores(p.meUnderLogin),
    ],
    [
      `… logins during that probe (${p.meUnderLogin.login.connections} conns)`,
      `${fmt(p.meUnderLogin.login.okPerSecond, 1)} req/s`,
      `limit ${fmt(a.limitLoginsPerSecond, 1)}/s`,
      fmt(p.meUnderLogin.login.ratioToLimit, 2),
      latency(p.meUnderLogin.login.latencyMs),
      problems(p.meUnderLogin.login),
      '',
    ],
    [
      'Service RSS at end (peak)',
      `${fmt(service.memory.rssMiB)} MiB (${fmt(service.memory.peakRssMiB)} MiB)`,
      `${fmt(service.memoryAtReady.rssMiB)} MiB when ready`,
      '',
      '',
      '',
      '',
    ],
  ];
  const header = [
    'Measurement',
    'Result',
    'Compared with',
    'Ratio',
    'Latency p50 / p99 (ms)',
    'Non-2xx / errors',
    'CPU cores: service / db server / loader / other',
  ];
  const table = [header, header.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
  const notes = [];
  for (const [when, logged] of [
    ['during the run', service.log.duringRun],
    ['while shutting down (SIGTERM)', service.log.atShutdown],
  ]) {
    if (!logged.entries) continue;
    notes.push(`The service logged ${logged.entries} warnings/errors ${when}:`, '');
    for (const { count, message } of logged.distinct) notes.push(`- ${count}× \`${message.replace(/`/g, "'")}\``);
    notes.push('', 'First one in full:', '', '```', logged.firstEntry, '```', '');
  }
  for (const warning of results.warnings) notes.push(`- ${warning}`);
  return [
    `## Identity service benchmark — ${results.db} — ${results.startedAt}`,
    '',
    `${m.cpuModel}, ${m.availableParallelism} cores, ${m.memoryGiB} GiB RAM, ${m.os}, Node ${m.node}, ` +
      `database ${m.db}, commit ${results.git.commit}${results.git.dirty ? ' (with uncommitted changes)' : ''}, ` +
      `${results.options.durationSeconds} s per phase. The load generator shares the machine.` +
      settingsNote(results.service.settings),
    '',
    table,
    '',
    ...notes,
  ].join('\n');
}

module.exports = { machine, markdown };
