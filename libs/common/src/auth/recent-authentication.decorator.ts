import { SetMetadata } from '@nestjs/common';

export const REQUIRES_RECENT_AUTHENTICATION = 'identity:requiresRecentAuthentication';

/**
 * The session behind the caller's token must have authenticated within REAUTH_WINDOW (its
 * sign-in or a later POST /auth/reauthenticate); otherwise 401 `reauthentication_required`.
 * For sensitive actions that carry no proof of their own, such as admin changes.
 */
export const RequiresRecentAuthentication = () => SetMetadata(REQUIRES_RECENT_AUTHENTICATION, true);
