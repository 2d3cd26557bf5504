import { randomBytes } from 'node:crypto';

/**
 * Time-ordered UUIDv7 (RFC 9562): keeps primary-key inserts append-only in InnoDB's clustered
 * index. 48-bit millisecond timestamp, then version, variant and 74 random bits.
 */
export function newId(): string {
  const bytes = randomBytes(16);
  const now = Date.now();
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
