import { parseList } from '@identity/common';

/** The fields of an import record; names as in the API (camelCase). */
export const IMPORT_FIELDS = [
  'email',
  'phone',
  'username',
  'displayName',
  'emailVerified',
  'phoneVerified',
  'roles',
  'passwordHash',
] as const;

export interface ImportFields {
  email?: string;
  phone?: string;
  username?: string;
  displayName?: string;
  emailVerified: boolean;
  phoneVerified: boolean;
  roles: string[];
  passwordHash?: string;
}

const TRUE = ['true', '1', 'yes'];
const FALSE = ['false', '0', 'no'];

/**
 * Reads a record's values with their types: CSV cells are all text, JSON members may be text,
 * booleans or (roles) an array. Absent, null and empty mean "not given".
 */
export function readRow(values: Record<string, unknown>): { fields: ImportFields; problems: string[] } {
  const problems: string[] = [];
  const unknown = Object.keys(values).filter((key) => !(IMPORT_FIELDS as readonly string[]).includes(key));
  if (unknown.length) problems.push(`unknown field(s) ${unknown.join(', ')}`);
  const text = (name: (typeof IMPORT_FIELDS)[number]): string | undefined => {
    const value = values[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'string') return value.trim() || undefined;
    problems.push(`${name} must be text`);
    return undefined;
  };
  const flag = (name: 'emailVerified' | 'phoneVerified'): boolean => {
    const value = values[name];
    if (value === undefined || value === null || value === '' || typeof value === 'boolean') return value === true;
    const word = String(value).trim().toLowerCase();
    if (TRUE.includes(word) || FALSE.includes(word)) return TRUE.includes(word);
    problems.push(`${name} must be true or false`);
    return false;
  };
  const fields: ImportFields = {
    email: text('email'),
    phone: text('phone'),
    username: text('username'),
    displayName: text('displayName'),
    emailVerified: flag('emailVerified'),
    phoneVerified: flag('phoneVerified'),
    roles: readRoles(values.roles, problems),
    passwordHash: text('passwordHash'),
  };
  return { fields, problems };
}

/** A JSON array of names, or one comma-separated text (quote it in CSV: "teacher,admin"). */
function readRoles(value: unknown, problems: string[]): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') return parseList(value);
  if (Array.isArray(value) && value.every((role) => typeof role === 'string'))
    return [...new Set(value.map((role) => role.trim()).filter(Boolean))];
  problems.push('roles must be a list of role names');
  return [];
}
