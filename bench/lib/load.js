'use strict';
// Load generation and measurement. Everything here runs in the bench process, never inside a
// service process, and every loop is bounded by a duration or a count.
const autocannon = require('autocannon');
const { randomBytes } = require('node:crypto');
const http = require('node:http');
const { performance } = require('node:perf_hooks');

const JSON_HEADERS = { 'content-type': 'application/json', 'user-agent': 'identity-bench' };

/** Runs autocannon for a fixed duration and resolves with its result. */
function cannon(options) {
  return new Promise((resolve, reject) => {
    autocannon({ timeout: 10, ...options }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/** The parts of an autocannon result the report uses. Throughput counts 2xx answers only. */
function summarize(result) {
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count]));
  return {
    connections: result.connections,
    durationSeconds: result.duration,
    ok: result['2xx'],
    okPerSecond: result['2xx'] / result.duration,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    // autocannon's latency histogram holds 2xx responses only.
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.average,
    },
  };
}

/**
 * GETs `url` at a fixed rate, open loop: request i is due at start + i/rate whatever happened
 * to earlier ones, and its latency is counted from when it was due, not from when it was
 * sent, so a stalled event loop (ours or the server's) shows up in full.
 *
 * Not autocannon, on purpose: its rate limit sends each connection's whole per-second quota
 * back to back at the start of every second, and its coordinated-omission correction assumes a
 * 1 ms interval whatever the rate, which fills the histogram with synthetic samples.
 */
function pacedProbe(url, { rate, durationSeconds, headers = {}, maxInFlight = 64, timeoutMs = 5000 }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: maxInFlight });
  const interval = 1000 / rate;
  const total = Math.max(1, Math.floor(rate * durationSeconds));
  const latencies = [];
  const statusCodes = {};
  let errors = 0;
  let skipped = 0;
  let sent = 0;
  let finished = 0;
  let inFlight = 0;
  const start = performance.now();

  return new Promise((resolve) => {
    const finishOne = () => {
      finished++;
      if (finished === total) {
        agent.destroy();
        resolve({
          rate,
          durationSeconds,
          scheduled: total,
          ok: latencies.length,
          statusCodes,
          errors,
          skipped,
          latencyMs: percentiles(latencies),
        });
      }
    };
    const send = (due) => {
      // Bounded: if the server stops answering, further probes are counted, not queued.
      if (inFlight >= maxInFlight) {
        skipped++;
        finishOne();
        return;
      }
      inFlight++;
      let settled = false;
      const settle = (status) => {
        if (settled) return;
        settled = true;
        inFlight--;
        if (status === undefined) errors++;
        else {
          statusCodes[status] = (statusCodes[status] ?? 0) + 1;
          if (status >= 200 && status < 300) latencies.push(performance.now() - due);
        }
        finishOne();
      };
      const request = http.get(url, { agent, headers: { 'user-agent': 'identity-bench', ...headers } }, (response) => {
        response.resume();
        response.on('end', () => settle(response.statusCode));
        response.on('error', () => settle(undefined));
      });
      request.setTimeout(timeoutMs, () => request.destroy(new Error('timeout')));
      request.on('error', () => settle(undefined));
    };
    const tick = () => {
      const now = performance.now();
      // Timers fire late under load; send everything that is due so the rate holds.
      while (sent < total && start + sent * interval <= now) send(start + sent++ * interval);
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    tick();
  });
}

function percentiles(values) {
  if (!values.length) return { p50: null, p90: null, p99: null, max: null, mean: null };
  const sorted = Float64Array.from(values).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  const round = (ms) => Math.round(ms * 100) / 100;
  return {
    p50: round(at(0.5)),
    p90: round(at(0.9)),
    p99: round(at(0.99)),
    max: round(sorted[sorted.length - 1]),
    mean: round(values.reduce((sum, value) => sum + value, 0) / values.length),
  };
}

/**
 * `count` successful password logins, `concurrency` at a time. Failed attempts are retried (at
 * most `count` extra attempts in all) and tallied by status, so a flaky login under concurrency
 * is reported instead of ending the run. Returns the token responses and the failures.
 */
async function loginMany(baseUrl, credentials, count, concurrency = 4) {
  const responses = [];
  const failures = {};
  let attempts = 0;
  let pending = 0;
  const maxAttempts = 2 * count;
  const worker = async () => {
    while (responses.length + pending < count && attempts < maxAttempts) {
      attempts++;
      pending++;
      try {
        const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
          method: 'POST',
          headers: JSON_HEADERS,
          body: JSON.stringify(credentials),
          signal: AbortSignal.timeout(15_000),
        });
        const text = await response.text();
        if (response.status === 200) responses.push(JSON.parse(text));
        else failures[response.status] = (failures[response.status] ?? 0) + 1;
      } catch (error) {
        failures[error.name] = (failures[error.name] ?? 0) + 1;
      } finally {
        pending--;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  if (responses.length < count) {
    throw new Error(
      `only ${responses.length} of ${count} logins succeeded in ${attempts} attempts (failures by status: ${JSON.stringify(failures)})`,
    );
  }
  return { responses, failures, attempts };
}

/**
 * autocannon options for POST /auth/refresh with rotating tokens.
 *
 * Every refresh token works once, and replaying one revokes its session, so a fixed body would
 * measure the error path after the first request. Pre-creating one session per request is not
 * feasible either (logins run at ~60/s; refresh at thousands/s). Instead each connection owns
 * one session and chains it: every request sends the refresh token that the previous response
 * on that connection returned. With pipelining 1 a connection has at most one request in
 * flight, so a token is never presented twice — the same thing a real client does.
 *
 * autocannon clears its per-request `context` every time a connection loops over its request
 * list, so the chain lives in a closure per connection, installed through setupClient. A
 * connection whose chain breaks (non-200, or a request lost to a timeout/reconnect, whose
 * answer carried the next token) takes a spare session's token; breaks are counted.
 */
function chainedRefreshOptions(baseUrl, refreshTokens, connections) {
  if (refreshTokens.length < connections) throw new Error('need at least one session per connection');
  const spares = refreshTokens.slice(connections);
  const stats = { chainBreaks: 0, sparesUsed: 0, sparesLeft: spares.length, parseErrors: 0 };
  let assigned = 0;
  const options = {
    url: `${baseUrl}/api/v1/auth/refresh`,
    connections,
    pipelining: 1,
    setupClient(client) {
      const chain = { token: refreshTokens[assigned++ % connections] };
      client.setRequests([
        {
          method: 'POST',
          path: '/api/v1/auth/refresh',
          headers: JSON_HEADERS,
          setupRequest: (request) => ({ ...request, body: JSON.stringify({ refreshToken: chain.token }) }),
          onResponse: (status, body) => {
            if (status === 200) {
              try {
                chain.token = JSON.parse(body).refreshToken;
                return;
              } catch {
                stats.parseErrors++;
              }
            }
            stats.chainBreaks++;
            const spare = spares.pop();
            if (spare) {
              chain.token = spare;
              stats.sparesUsed++;
              stats.sparesLeft = spares.length;
            }
          },
        },
      ]);
    },
  };
  return { options, stats };
}

/**
 * Passwordless sign-ins by email, closed loop: each of `workers` asks for a code for an address
 * nobody used before, takes the code from the mail the service delivers to `sinks`, and signs in
 * with it, which creates the account (OTP_SIGNUP, the default). The next cycle starts when the
 * last one ends, so throughput is bounded by the workers too: the request is answered no sooner
 * than ENUMERATION_MIN_RESPONSE_MS (150 ms by default) on purpose.
 *
 * Returns a summary shaped like `summarize`'s (`ok` = completed sign-ins, latency = whole cycle),
 * with each step's latency apart: the request, the mail's arrival counted from the request
 * being sent, and the verify.
 */
async function otpSignIns(baseUrl, sinks, { workers, durationSeconds, timeoutMs = 10_000 }) {
  const cycles = [];
  const steps = { requestMs: [], mailMs: [], verifyMs: [] };
  const statusCodes = {};
  let non2xx = 0;
  let errors = 0;
  let lostMessages = 0;
  let unexpected = 0;
  let addresses = 0;
  // Addresses of this call only: a second call (after a warm-up) must not sign in existing accounts.
  const run = randomBytes(4).toString('hex');
  const post = async (path, body) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
    statusCodes[response.status] = (statusCodes[response.status] ?? 0) + 1;
    if (response.status >= 300) non2xx++;
    return response.status;
  };
  const cycle = async () => {
    const email = `otp-bench-${run}-${addresses++}@example.com`;
    const started = performance.now();
    const mail = sinks.nextCode(email, timeoutMs);
    if ((await post('/api/v1/auth/otp/request', { email })) !== 202) return;
    const answered = performance.now();
    const code = await mail;
    const delivered = performance.now();
    if (code === null) {
      lostMessages++;
      return;
    }
    // 201: the sign-in created the account, as it must for an address nobody used.
    if ((await post('/api/v1/auth/otp/verify', { email, code })) !== 201) {
      unexpected++;
      return;
    }
    const verified = performance.now();
    cycles.push(verified - started);
    steps.requestMs.push(answered - started);
    steps.mailMs.push(delivered - started);
    steps.verifyMs.push(verified - Math.max(answered, delivered));
  };
  const deadline = performance.now() + durationSeconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      try {
        await cycle();
      } catch {
        errors++;
      }
    }
  };
  const wallStart = performance.now();
  await Promise.all(Array.from({ length: workers }, worker));
  const wallSeconds = (performance.now() - wallStart) / 1000;
  return {
    connections: workers,
    durationSeconds: wallSeconds,
    ok: cycles.length,
    okPerSecond: cycles.length / wallSeconds,
    non2xx,
    errors: errors + lostMessages + unexpected,
    lostMessages,
    unexpected,
    statusCodes,
    latencyMs: percentiles(cycles),
    steps: Object.fromEntries(Object.entries(steps).map(([name, values]) => [name, percentiles(values)])),
  };
}

module.exports = { JSON_HEADERS, cannon, summarize, pacedProbe, loginMany, chainedRefreshOptions, otpSignIns };
