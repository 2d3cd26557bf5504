/** Every permission the service checks. `*` (the admin role) grants all of them. */
export const PERMISSIONS = {
  usersRead: 'users:read',
  usersWrite: 'users:write',
  usersDelete: 'users:delete',
  sessionsRevoke: 'sessions:revoke',
  rolesRead: 'roles:read',
  rolesWrite: 'roles:write',
  auditRead: 'audit:read',
  providersRead: 'providers:read',
  providersWrite: 'providers:write',
} as const;

export type Permission = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];

export const ALL_PERMISSIONS: string[] = Object.values(PERMISSIONS);
export const WILDCARD_PERMISSION = '*';

export function grants(held: string[], required: string[]): boolean {
  return held.includes(WILDCARD_PERMISSION) || required.every((permission) => held.includes(permission));
}
