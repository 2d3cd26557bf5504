import { AuditLogEntity } from '@identity/audit';
import { AuthProviderEntity, ExchangeCodeEntity, RedirectFlowEntity, UserAuthEntity } from '@identity/auth-core';
import { OutboxMessageEntity } from '@identity/messaging';
import { MfaChallengeEntity, UserMfaEntity } from '@identity/mfa';
import { JobRunEntity } from '@identity/database';
import { OtpChallengeEntity } from '@identity/otp';
import { RoleEntity, UserRoleEntity } from '@identity/rbac';
import { RefreshTokenEntity, SessionEntity } from '@identity/sessions';
import { UserEntity } from '@identity/users';
import { LOGIN_METHOD_ENTITIES } from './login-methods';

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
  OtpChallengeEntity,
  OutboxMessageEntity,
  UserMfaEntity,
  MfaChallengeEntity,
  RedirectFlowEntity,
  ExchangeCodeEntity,
  JobRunEntity,
  ...LOGIN_METHOD_ENTITIES,
];
