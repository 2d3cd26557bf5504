import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { Logger as PinoLogger } from 'pino';
import { loggingModule, RequestContextInterceptor } from '@identity/common';
import { MessagingModule } from '@identity/messaging';
import { MetricsModule } from '@identity/metrics';
import { ShutdownState } from './graceful-shutdown';
import { HealthController } from './health.controller';
import { serviceModules } from './service-modules';

@Module({})
export class AppModule {
  /**
   * Built at start-up from the environment: which login methods to mount.
   * `extraModules` lets tests mount a fixture login method next to the built-in ones; `logger`
   * is the application's pino logger, which Nest's logging goes through.
   */
  static register(env: NodeJS.ProcessEnv, extraModules: (Type | DynamicModule)[], logger: PinoLogger): DynamicModule {
    return {
      module: AppModule,
      // Scheduled jobs run in the API process only, never in CLI commands.
      imports: [
        loggingModule(logger),
        TerminusModule,
        ScheduleModule.forRoot(),
        ...serviceModules(env, extraModules, [HealthController]),
        // Readiness reports the mail transport.
        MessagingModule,
        MetricsModule.register(env),
      ],
      controllers: [HealthController],
      providers: [ShutdownState, { provide: APP_INTERCEPTOR, useClass: RequestContextInterceptor }],
    };
  }
}
