import { DynamicModule, Inject, Logger, Module, OnApplicationShutdown, Optional, Type } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import Redis from 'ioredis';
import { Logger as PinoLogger } from 'pino';
import { loadAppConfig, loggingModule, RequestContextInterceptor } from '@identity/common';
import { HealthController, REDIS_HEALTH_CLIENT } from './health.controller';
import { serviceModules } from './service-modules';

const redisLogger = new Logger('Redis');

class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Optional() @Inject(REDIS_HEALTH_CLIENT) private readonly redis?: Redis) {}

  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }
}

@Module({})
export class AppModule {
  /**
   * Built at start-up from the environment: which login methods to mount, whether Redis is used.
   * `extraModules` lets tests mount a fixture login method next to the built-in ones; `logger`
   * is the application's pino logger, which Nest's logging goes through.
   */
  static register(env: NodeJS.ProcessEnv, extraModules: (Type | DynamicModule)[], logger: PinoLogger): DynamicModule {
    const { redisUrl } = loadAppConfig(env);
    const redisProviders = redisUrl
      ? [
          {
            provide: REDIS_HEALTH_CLIENT,
            useFactory: () => {
              // Commands wait for a (re)connection for at most a second, so a readiness check
              // neither fails during start-up nor hangs while Redis is down.
              const client = new Redis(redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 1000 });
              client.on('error', (error) => redisLogger.warn(`redis: ${error.message}`));
              return client;
            },
          },
        ]
      : [];
    return {
      module: AppModule,
      // Scheduled jobs run in the API process only, never in CLI commands.
      imports: [loggingModule(logger), TerminusModule, ScheduleModule.forRoot(), ...serviceModules(env, extraModules, [HealthController])],
      controllers: [HealthController],
      providers: [...redisProviders, RedisLifecycle, { provide: APP_INTERCEPTOR, useClass: RequestContextInterceptor }],
    };
  }
}
