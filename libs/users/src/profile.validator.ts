import { registerDecorator, ValidationOptions } from 'class-validator';

const MAX_FIELDS = 50;
const MAX_SERIALIZED = 8 * 1024;
const KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** Only flat scalar values: a profile is a bag of custom fields, not a document store. */
function isProfileValue(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

export function isValidProfile(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return (
    entries.length <= MAX_FIELDS &&
    entries.every(([key, field]) => KEY_PATTERN.test(key) && isProfileValue(field)) &&
    JSON.stringify(value).length <= MAX_SERIALIZED
  );
}

export function IsProfile(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isProfile',
      target: target.constructor,
      propertyName,
      options: {
        message: `profile must be a flat object of at most ${MAX_FIELDS} fields named like identifiers, with string, number, boolean or null values (${MAX_SERIALIZED} bytes at most)`,
        ...options,
      },
      validator: { validate: isValidProfile },
    });
}
