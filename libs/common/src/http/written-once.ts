/**
 * The JSON of values that are answered many times unchanged, written once. The account view
 * cached for `GET /me` goes out on every such request, and turning it into JSON each time was
 * 7 % of the request's time.
 */
const jsonOf = new WeakMap<object, string>();

/**
 * Freezes the value, deeply, and writes its JSON now, for `serializeReply` to answer with: frozen,
 * it cannot drift from what was written. Returns the value.
 */
export function writtenOnce<T extends object>(value: T): T {
  deepFreeze(value);
  jsonOf.set(value, JSON.stringify(value));
  return value;
}

/** The HTTP server's JSON serializer: the JSON written once for the value, else JSON.stringify. */
export function serializeReply(payload: unknown): string {
  return (typeof payload === 'object' && payload !== null && jsonOf.get(payload)) || JSON.stringify(payload);
}

function deepFreeze(value: object): void {
  Object.freeze(value);
  for (const child of Object.values(value)) if (typeof child === 'object' && child !== null && !Object.isFrozen(child)) deepFreeze(child);
}
