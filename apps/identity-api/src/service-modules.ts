import { DynamicModule, Type } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AbuseModule } from '@identity/abuse';
import { AdminModule } from '@identity/admin';
import { AuditModule } from '@identity/audit';
import { assertPluginContract, AuthCoreModule } from '@identity/auth-core';
import { appConfig, RedisModule, SecurityEventsModule } from '@identity/common';
import { DatabaseModule } from '@identity/database';
import { enabledLoginMethodModules } from './login-methods';
import { ENTITIES } from './persistence';

/**
 * The modules the service is made of, shared by the HTTP app and the CLI so both run the same
 * code paths (and both write the audit log). `extraModules` lets tests mount a fixture method;
 * `appControllers` are checked for route collisions with everything else.
 */
export function serviceModules(env: NodeJS.ProcessEnv, extraModules: (Type | DynamicModule)[] = [], appControllers: Type[] = []) {
  const features = [AuthCoreModule, AdminModule, ...enabledLoginMethodModules(env), ...extraModules];
  assertPluginContract(features, appControllers);
  return [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [appConfig] }),
    DatabaseModule.forRoot(ENTITIES),
    EventEmitterModule.forRoot(),
    SecurityEventsModule,
    RedisModule,
    AbuseModule,
    AuditModule,
    ...features,
  ];
}
