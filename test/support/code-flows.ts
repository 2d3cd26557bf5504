import { DataSource } from 'typeorm';
import { Clock } from '@identity/common';
import { OutboxMessageEntity } from '@identity/messaging';
import { OtpService } from '@identity/otp';
import { TestApp } from './test-app';

let counter = 0;

/**
 * A fresh email whose masked form is `<first>*****<last>@example.com`, so that two addresses made
 * with the same first and last letter mask identically (for "same answer" comparisons).
 */
export function freshEmail(first = 'n', last = 'z'): string {
  counter += 1;
  return `${first}${process.pid}x${counter}x${Date.now() % 1e6}${last}@example.com`;
}

/** A fresh German mobile number in E.164 (any 8 digits after +49151 are valid). */
export function freshPhone(): string {
  counter += 1;
  return `+49151${String(((process.pid % 100) * 1e6 + (Date.now() % 1e4) * 100 + counter) % 1e8).padStart(8, '0')}`;
}

/** Messages the service queued for a recipient, oldest first. */
export function outboxTo(t: TestApp, recipient: string): Promise<OutboxMessageEntity[]> {
  return t.app
    .get(DataSource)
    .getRepository(OutboxMessageEntity)
    .find({ where: { recipient }, order: { createdAt: 'ASC' } });
}

export async function rowCount(t: TestApp, table: string, where: string, value: string): Promise<number> {
  const [{ count }] = await t.app.get(DataSource).query(`SELECT COUNT(*) AS count FROM ${table} WHERE ${where} = ?`, [value]);
  return Number(count);
}

/**
 * Moves the service clock (codes, cooldowns, send limits, outbox due times) forward for the rest
 * of the suite. Never back: messages queued at a later clock time would not be due again until
 * real time caught up with it.
 */
export function advanceClock(t: TestApp, seconds: number): void {
  t.app.get(Clock).offsetMs += seconds * 1000;
}

export const otpTtlSeconds = (t: TestApp) => t.app.get(OtpService).ttlSeconds;

/** A six-digit code other than `code`. */
export const otherCode = (code: string) => String((Number(code) + 1) % 1e6).padStart(6, '0');

/** The answer of a "code sent" request without the moment-dependent expiry, for comparing two of them. */
export const withoutExpiry = (body: Record<string, unknown>) => ({ ...body, expiresAt: typeof body.expiresAt });
