import { Errors } from '@identity/common';

/** Where a page ended: the sort key (created_at, id) of its last row. */
export interface AuditCursor {
  createdAt: Date;
  id: string;
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Opaque to clients: base64url of `<ISO time>|<id>`. */
export function encodeCursor(cursor: AuditCursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`, 'utf8').toString('base64url');
}

/** Parses a cursor from a previous page; anything else is a 400 `invalid_cursor`. */
export function decodeCursor(value: string): AuditCursor {
  const invalid = () =>
    Errors.badRequest('invalid_cursor', 'The cursor is not valid. Pass back the nextCursor of a previous page unchanged.');
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(value)) throw invalid();
  const [time, id, ...rest] = Buffer.from(value, 'base64url').toString('utf8').split('|');
  if (rest.length || !ISO_UTC.test(time ?? '') || !ID.test(id ?? '')) throw invalid();
  const createdAt = new Date(time);
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== time) throw invalid();
  return { createdAt, id };
}
