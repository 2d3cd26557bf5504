import { DynamicModule, Type } from '@nestjs/common';
import { isProviderEnabled } from '@identity/auth-core';
import { LocalProviderModule, PendingRegistrationEntity } from '@identity/auth-providers/local';

/**
 * The login methods built into this service. The composition root is the only place that
 * names them; adding one is a folder under libs/auth-providers and a line here.
 */
export const BUILT_IN_LOGIN_METHODS: Record<string, Type | DynamicModule> = {
  local: LocalProviderModule,
};

/** Tables the login methods own; part of the schema whether or not a method is enabled. */
export const LOGIN_METHOD_ENTITIES = [PendingRegistrationEntity];

/** Modules of the methods AUTH_PROVIDERS enables. A disabled method mounts no route. */
export function enabledLoginMethodModules(env: NodeJS.ProcessEnv = process.env): (Type | DynamicModule)[] {
  return Object.entries(BUILT_IN_LOGIN_METHODS)
    .filter(([id]) => isProviderEnabled(id, env))
    .map(([, module]) => module);
}
