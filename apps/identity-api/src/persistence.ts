import { AuditLogEntity } from '@identity/audit';
import { AuthProviderEntity, UserAuthEntity } from '@identity/auth-core';
import { RoleEntity, UserRoleEntity } from '@identity/rbac';
import { RefreshTokenEntity, SessionEntity } from '@identity/sessions';
import { UserEntity } from '@identity/users';

/** Every entity of the service: the schema that migrations must match on both dialects. */
export const ENTITIES = [
  UserEntity,
  AuthProviderEntity,
  UserAuthEntity,
  RoleEntity,
  UserRoleEntity,
  SessionEntity,
  RefreshTokenEntity,
  AuditLogEntity,
];
