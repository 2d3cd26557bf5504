import { randomUUID } from 'node:crypto';

/**
 * Time-ordered UUIDv7 (RFC 9562): keeps primary-key inserts append-only in InnoDB's clustered
 * index. 48-bit millisecond timestamp, then version, variant and 74 random bits.
 *
 * The random part is taken from a v4 UUID, whose variant bits are already those of v7: Node
 * serves `randomUUID` from a pool of entropy it refills in bulk, where `randomBytes(16)` asks
 * OpenSSL for every id (about 10× slower, and a refresh makes several ids).
 */
export function newId(): string {
  const time = Date.now().toString(16).padStart(12, '0');
  // v4 layout: 8-4-4-4-12 hex digits, the third group starting with the version digit.
  const random = randomUUID();
  return `${time.slice(0, 8)}-${time.slice(8)}-7${random.slice(15)}`;
}
