import { Errors } from '@identity/common';

/**
 * Position after the last row of a page: its created_at exactly as the database stores it, and
 * its id. The database's own text is kept (not a JS Date) because MySQL stores microseconds and
 * SQLite compares times as text; a rounded value would skip or repeat rows on the next page.
 */
export interface UserListCursor {
  createdAt: string;
  id: string;
}

const STORED_TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Opaque to clients: they only hand back what a previous page gave them. */
export function encodeCursor(cursor: UserListCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

/** Refuses anything this service did not produce, so no client text reaches SQL unchecked. */
export function decodeCursor(raw: string): UserListCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalidCursor();
  const [createdAt, id] = parsed as unknown[];
  if (typeof createdAt !== 'string' || !STORED_TIME.test(createdAt) || typeof id !== 'string' || !UUID.test(id)) throw invalidCursor();
  return { createdAt, id };
}

const invalidCursor = () =>
  Errors.badRequest('invalid_cursor', 'The cursor is malformed; pass the nextCursor of a previous page unchanged.');
