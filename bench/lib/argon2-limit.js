'use strict';
// The ceiling for password logins on this machine: no implementation can verify passwords
// faster than (cores ÷ CPU time of one verify) with the configured argon2 cost.
const argon2 = require('argon2');
const os = require('node:os');

/** The parameters the service will use: same env variables and defaults as auth-core.config.ts. */
function argon2Params(env = process.env) {
  const int = (name, fallback) => (env[name] === undefined || env[name] === '' ? fallback : Number(env[name]));
  return {
    memoryCost: int('ARGON2_MEMORY_KIB', 19456),
    timeCost: int('ARGON2_TIME_COST', 2),
    parallelism: int('ARGON2_PARALLELISM', 1),
  };
}

/**
 * Runs verifies one after another (nothing else is running yet) and divides the process CPU
 * time by their number. CPU time rather than wall time: with parallelism > 1 argon2 uses
 * several threads, and it is CPU, not elapsed time, that the cores run out of.
 */
async function measureArgon2Limit(params, { verifies = 30, warmup = 3 } = {}) {
  const password = 'correct horse battery staple';
  const hash = await argon2.hash(password, { type: argon2.argon2id, ...params });
  for (let i = 0; i < warmup; i++) await argon2.verify(hash, password);
  const wallStart = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < verifies; i++) {
    if (!(await argon2.verify(hash, password))) throw new Error('argon2 verify returned false for the right password');
  }
  const cpu = process.cpuUsage(cpuStart);
  const wallSeconds = Number(process.hrtime.bigint() - wallStart) / 1e9;
  const cpuSecondsPerVerify = (cpu.user + cpu.system) / 1e6 / verifies;
  const cores = os.availableParallelism();
  return {
    params,
    verifies,
    cores,
    cpuMsPerVerify: cpuSecondsPerVerify * 1000,
    wallMsPerVerify: (wallSeconds / verifies) * 1000,
    limitLoginsPerSecond: cores / cpuSecondsPerVerify,
    concurrent: await measureConcurrent(hash, password, cores, verifies * cores),
  };
}

/**
 * argon2 alone with one verify per core in flight, as the service runs them: the part of the
 * gap between logins and the limit that is argon2 itself not scaling perfectly across cores
 * (shared memory bandwidth and caches; each verify touches `memoryCost` KiB).
 */
async function measureConcurrent(hash, password, concurrency, verifies) {
  let started = 0;
  const wallStart = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < verifies) {
        started++;
        await argon2.verify(hash, password);
      }
    }),
  );
  const cpu = process.cpuUsage(cpuStart);
  const wallSeconds = Number(process.hrtime.bigint() - wallStart) / 1e9;
  return { concurrency, verifies, perSecond: verifies / wallSeconds, cpuMsPerVerify: (cpu.user + cpu.system) / 1e3 / verifies };
}

module.exports = { argon2Params, measureArgon2Limit };
