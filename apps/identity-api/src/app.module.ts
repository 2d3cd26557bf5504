import { DynamicModule, Module, Type } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { PinoNestLogger } from '@identity/common';
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
   * is Nest's logging over the application's pino logger, provided for whoever wants to write
   * through it too.
   */
  static register(env: NodeJS.ProcessEnv, extraModules: (Type | DynamicModule)[], logger: PinoNestLogger): DynamicModule {
    return {
      module: AppModule,
      // Scheduled jobs run in the API process only, never in CLI commands.
      imports: [
        TerminusModule,
        ScheduleModule.forRoot(),
        ...serviceModules(env, extraModules, [HealthController]),
        // Readiness reports the mail transport.
        MessagingModule,
        MetricsModule.register(env),
      ],
      controllers: [HealthController],
      providers: [ShutdownState, { provide: PinoNestLogger, useValue: logger }],
    };
  }
}
