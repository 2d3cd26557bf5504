import { classifyIdentifier } from '@identity/common';

/** Body fields that name an account, in the order they are looked at. */
const IDENTIFIER_FIELDS = ['identifier', 'email', 'phone', 'username'] as const;

/**
 * The key every counter uses for an account identifier: its kind and normalized value, so that
 * case, surrounding spaces, Unicode forms and phone formats fold to one counter
 * (`Ada@Example.com ` and `ada@example.com` are one, so are `+49 151 1234 5678` and `+4915112345678`).
 * The same for identifiers that belong to no account.
 */
export function accountKeyOf(identifier: string): string {
  const classified = classifyIdentifier(identifier);
  return `${classified.kind}:${classified.value}`;
}

/** The account a request body names, as an account key; null when it names none. */
export function identifierOf(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  for (const field of IDENTIFIER_FIELDS) {
    const value = (body as Record<string, unknown>)[field];
    if (typeof value === 'string' && value.trim()) return accountKeyOf(value);
  }
  return null;
}
