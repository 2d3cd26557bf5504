import { DiscoveryService } from '@nestjs/core';
import { ProviderKind } from '../auth-provider.entity';

export type ProviderCapability = 'sign-in' | 'sign-up' | 'link';

/** What a login method says about itself; the registry and the flows only ever ask this. */
export interface LoginMethodDescriptor {
  /** Provider name as in `auth_providers.name`: `local`, `email_otp`, `google`, … */
  id: string;
  displayName: string;
  kind: ProviderKind;
  description?: string;
  supports: ProviderCapability[];
}

/** Implemented by the one class in each provider module marked with @LoginMethod. */
export interface LoginMethodProvider {
  /** False when the method lacks the configuration it needs (e.g. no OAuth client id). */
  isConfigured(): boolean;
}

/** Declares a class as a provider's login method so the registry discovers it. */
export const LoginMethod = DiscoveryService.createDecorator<LoginMethodDescriptor>();

/** A normalized, already-proven identity handed by a provider to the core. */
export interface ExternalIdentity {
  providerId: string;
  /** Stable id of the person at the provider (Google `sub`, Firebase uid, local user id). */
  subject: string;
  email?: string | null;
  emailVerified: boolean;
  phone?: string | null;
  phoneVerified: boolean;
  profile: {
    displayName?: string | null;
    avatarUrl?: string | null;
    locale?: string | null;
    [field: string]: unknown;
  };
}
