// Fails an e2e run whose logs show a secret. The specs' apps log everything at `debug` into the
// canary directory and note each secret their traffic carried (test/support/log-canary.ts); the
// runner also keeps each spec process's raw output there. Usage: check-log-canary.js <dir>
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Secret {
  value: string;
  source: string;
}

export interface LogFile {
  name: string;
  lines: string[];
}

export interface Leak {
  file: string;
  /** 1-based. */
  line: number;
  what: string;
  /** The line with the secret masked, shortened around it. */
  excerpt: string;
}

/** Shorter values would match ordinary text: a collected secret must be at least this long. */
export const MIN_SECRET_LENGTH = 6;
const SIX_DIGITS = /^\d{6}$/;
const WORD_CHAR = /[A-Za-z0-9_]/;

/** Secrets recognisable without having seen them in traffic. */
const SHAPES: { what: string; pattern: RegExp }[] = [
  { what: 'an argon2 hash', pattern: /\$argon2(?:id|i|d)\$[^\s"]*/ },
  { what: 'a bcrypt hash', pattern: /\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}/ },
  { what: 'a JWT', pattern: /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/ },
];

/** Secrets by their first characters, so a line is scanned once rather than once per secret. */
function indexSecrets(secrets: Secret[]): Map<string, Secret[]> {
  const index = new Map<string, Secret[]>();
  for (const secret of secrets) {
    if (secret.value.length < MIN_SECRET_LENGTH) continue;
    // Log lines are JSON: a secret with a quote or a backslash shows there escaped.
    const escaped = JSON.stringify(secret.value).slice(1, -1);
    for (const value of new Set([secret.value, escaped])) {
      const key = value.slice(0, MIN_SECRET_LENGTH);
      index.set(key, [...(index.get(key) ?? []), { ...secret, value }]);
    }
  }
  return index;
}

/** A six-digit code counts only as a whole word: digits inside a longer number are something else. */
function isWholeWord(line: string, at: number, length: number): boolean {
  return !WORD_CHAR.test(line[at - 1] ?? '') && !WORD_CHAR.test(line[at + length] ?? '');
}

function secretIn(line: string, index: Map<string, Secret[]>): { secret: Secret; at: number } | undefined {
  for (let at = 0; at + MIN_SECRET_LENGTH <= line.length; at++) {
    for (const secret of index.get(line.slice(at, at + MIN_SECRET_LENGTH)) ?? []) {
      if (!line.startsWith(secret.value, at)) continue;
      if (SIX_DIGITS.test(secret.value) && !isWholeWord(line, at, secret.value.length)) continue;
      return { secret, at };
    }
  }
  return undefined;
}

function excerpt(line: string, at: number, length: number): string {
  const masked = `${line.slice(0, at)}[${length} characters masked]${line.slice(at + length)}`;
  const start = Math.max(0, at - 120);
  return `${start > 0 ? '…' : ''}${masked.slice(start, at + 160)}${at + 160 < masked.length ? '…' : ''}`;
}

function leakIn(line: string, index: Map<string, Secret[]>): Omit<Leak, 'file' | 'line'> | undefined {
  const found = secretIn(line, index);
  if (found) return { what: `a secret (${found.secret.source})`, excerpt: excerpt(line, found.at, found.secret.value.length) };
  for (const { what, pattern } of SHAPES) {
    const match = pattern.exec(line);
    if (match) return { what, excerpt: excerpt(line, match.index, match[0].length) };
  }
  return undefined;
}

/** Every line of `files` that shows one of `secrets`, a password hash or a JWT. */
export function findLeaks(files: LogFile[], secrets: Secret[]): Leak[] {
  const index = indexSecrets(secrets);
  const leaks: Leak[] = [];
  for (const file of files) {
    file.lines.forEach((text, i) => {
      const leak = leakIn(text, index);
      if (leak) leaks.push({ file: file.name, line: i + 1, ...leak });
    });
  }
  return leaks;
}

export function readCanary(dir: string): { files: LogFile[]; secrets: Secret[] } {
  const names = readdirSync(dir).sort();
  const read = (name: string) => readFileSync(join(dir, name), 'utf8').split('\n');
  const secrets = names
    .filter((name) => name.endsWith('.secrets.jsonl'))
    .flatMap(read)
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Secret);
  const files = names.filter((name) => !name.endsWith('.secrets.jsonl')).map((name) => ({ name: join(dir, name), lines: read(name) }));
  return { files, secrets };
}

/** Checks the canary directory and reports; returns the exit status. */
export function checkCanary(dir: string, print: (line: string) => void = console.log): number {
  const { files, secrets } = readCanary(dir);
  const lines = files.reduce((sum, file) => sum + file.lines.length, 0);
  // `.log`: apps inside the spec processes; `.out`: the output of API processes they started.
  if (secrets.length && !files.some((file) => /\.(log|out)$/.test(file.name))) {
    print(`log canary: ${secrets.length} secrets were collected but no app wrote a log file in ${dir}`);
    return 1;
  }
  const leaks = findLeaks(files, secrets);
  for (const leak of leaks.slice(0, 50)) print(`${leak.file}:${leak.line}: ${leak.what}\n    ${leak.excerpt}`);
  const summary = `${files.length} files, ${lines} lines, ${secrets.length} secrets`;
  print(leaks.length ? `log canary: ${leaks.length} leak(s) in ${summary}` : `log canary: no secret in ${summary}`);
  return leaks.length ? 1 : 0;
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: check-log-canary.js <dir>');
    process.exit(2);
  }
  process.exit(checkCanary(dir));
}
