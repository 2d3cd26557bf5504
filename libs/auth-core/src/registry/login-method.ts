import { DiscoveryService } from '@nestjs/core';
import { ProviderKind } from '../auth-provider.entity';

/**
 * The flows a login method takes part in: signing in, creating an account, being linked to an
 * existing account, and recovering access (a password reset by code).
 */
export const PROVIDER_CAPABILITIES = ['sign-in', 'sign-up', 'link', 'recovery'] as const;
export type ProviderCapability = (typeof PROVIDER_CAPABILITIES)[number];

/** What a login method says about itself; the registry and the flows only ever ask this. */
export interface LoginMethodDescriptor {
  /** Provider name as in `auth_providers.name`: `local`, `email_otp`, `google`, … */
  id: string;
  displayName: string;
  kind: ProviderKind;
  description?: string;
  supports: ProviderCapability[];
}

/** The parts of an incoming request a login method may look at to recognise its own. */
export interface LoginMethodRequest {
  body?: unknown;
  query?: unknown;
  params?: unknown;
}

/**
 * Implemented by the class in a provider module marked with @LoginMethod. Usually a module
 * declares one method; a module may declare several (email and SMS codes) that share its routes.
 */
export interface LoginMethodProvider {
  /** False when the method lacks the configuration it needs (e.g. no OAuth client id). */
  isConfigured(): boolean;
  /**
   * Required when the module declares more than one method: whether a request to the shared
   * routes is for this method. The switch guard uses it to refuse a request for a disabled
   * method while its sibling keeps serving the same route.
   */
  handles?(request: LoginMethodRequest): boolean;
  /**
   * What the method supports under the current configuration, when that is less than its
   * descriptor declares (sign-up switched off by a setting). Capabilities the descriptor does not
   * declare are ignored.
   */
  enabledCapabilities?(): ProviderCapability[];
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
