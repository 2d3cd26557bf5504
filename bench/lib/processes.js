'use strict';
// Child processes for the benchmark: start, wait until they answer, read their CPU and memory
// from /proc, stop them within a bounded time.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port nobody listens on right now (the child binds it a moment later). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `node <args>` with output appended to a log file (not piped: a pipe nobody drains
 * would eventually block the child's logging under load).
 */
function startNode(name, args, { env, cwd, logFile }) {
  const fd = fs.openSync(logFile, 'a');
  let child;
  try {
    child = spawn(process.execPath, args, { env, cwd, stdio: ['ignore', fd, fd] });
  } finally {
    fs.closeSync(fd);
  }
  child.benchName = name;
  child.logFile = logFile;
  child.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
  });
  return child;
}

const isRunning = (child) => child.exitCode === null && child.signalCode === null;

function logTail(child, lines = 30) {
  try {
    return fs.readFileSync(child.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Polls `url` until it answers 200; fails early if the child dies, and after `timeoutMs`. */
async function waitForHttp(child, url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!isRunning(child)) {
      throw new Error(`${child.benchName} exited (code ${child.exitCode}, signal ${child.signalCode}) before ready:\n${logTail(child)}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    await sleep(200);
  }
  throw new Error(`${child.benchName} not ready at ${url} after ${timeoutMs} ms (last: ${last}):\n${logTail(child)}`);
}

/** SIGTERM (the app's shutdown hooks close the database), SIGKILL if that takes too long. */
async function stopChild(child, graceMs = 5000) {
  if (!child || !isRunning(child)) return;
  child.kill('SIGTERM');
  const graceful = await Promise.race([child.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!graceful && isRunning(child)) {
    child.kill('SIGKILL');
    await Promise.race([child.exited, sleep(2000)]);
  }
}

// Linux clock ticks per second (getconf CLK_TCK); 100 on every mainstream kernel config.
const CLOCK_TICKS = 100;

/** user+system CPU seconds a process has used so far, or null when it is gone. */
function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after it are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** Pids of running processes whose command name is one of `names` (e.g. the database server). */
function pidsNamed(names) {
  const pids = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (names.includes(fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** CPU seconds all cores of the machine spent busy so far (everything but idle and iowait). */
function machineBusySeconds() {
  // First line: cpu user nice system idle iowait irq softirq steal …
  const [user, nice, system, , , irq, softirq, steal] = fs
    .readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS;
}

/** Resident memory now and at its peak, in MiB. */
function memory(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
  } catch {
    return { rssMiB: null, peakRssMiB: null };
  }
}

module.exports = {
  sleep,
  freePort,
  startNode,
  isRunning,
  logTail,
  waitForHttp,
  stopChild,
  cpuSeconds,
  machineBusySeconds,
  pidsNamed,
  memory,
};
