import { SetMetadata } from '@nestjs/common';

export const REQUIRED_PERMISSIONS = 'identity:requiredPermissions';

/**
 * The caller must hold every listed permission (through their current roles, read on each
 * request, so a role change applies at once). Implies a bearer token.
 */
export const RequirePermissions = (...permissions: string[]) => SetMetadata(REQUIRED_PERMISSIONS, permissions);
