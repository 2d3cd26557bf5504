import { DynamicModule, Type } from '@nestjs/common';
import { isProviderEnabled } from '@identity/auth-core';
import { LocalProviderModule, PendingRegistrationEntity } from '@identity/auth-providers/local';
import { PasswordlessProviderModule } from '@identity/auth-providers/passwordless';
import { FirebaseProviderModule } from '@identity/auth-providers/firebase';
import { GoogleProviderModule } from '@identity/auth-providers/google';
import { OAuthProviderModule } from '@identity/auth-providers/oauth';

/**
 * The login methods built into this service. The composition root is the only place that
 * names them; adding one is a folder under libs/auth-providers and a line here. Several ids may
 * map to one module that declares them all.
 */
export const BUILT_IN_LOGIN_METHODS: Record<string, Type | DynamicModule> = {
  local: LocalProviderModule,
  email_otp: PasswordlessProviderModule,
  mobile_otp: PasswordlessProviderModule,
  firebase: FirebaseProviderModule,
  google: GoogleProviderModule,
  facebook: OAuthProviderModule,
  apple: OAuthProviderModule,
};

/** Tables the login methods own; part of the schema whether or not a method is enabled. */
export const LOGIN_METHOD_ENTITIES = [PendingRegistrationEntity];

/**
 * Modules of the methods AUTH_PROVIDERS enables, each once. A disabled method mounts no route of
 * its own; on routes it shares with an enabled sibling it answers 404.
 */
export function enabledLoginMethodModules(env: NodeJS.ProcessEnv = process.env): (Type | DynamicModule)[] {
  const modules = Object.entries(BUILT_IN_LOGIN_METHODS)
    .filter(([id]) => isProviderEnabled(id, env))
    .map(([, module]) => module);
  return [...new Set(modules)];
}
