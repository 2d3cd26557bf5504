import { Controller, Get, Inject, Optional, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorFunction,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import Redis from 'ioredis';
import { PROBLEM_CONTENT_TYPE, Public, REDIS_CLIENT } from '@identity/common';
import { MailTransportHealth, MailTransportStatus } from '@identity/messaging';
import { ShutdownState } from './graceful-shutdown';

const READY_EXAMPLE = {
  status: 'ok',
  info: { database: { status: 'up' }, redis: { status: 'up' } },
  error: {},
  details: {
    database: { status: 'up' },
    redis: { status: 'up' },
    mail: { status: 'down', transport: 'smtp', message: 'Greeting never received', checkedAt: '2026-11-30T23:00:00.000Z' },
  },
};

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly mail: MailTransportHealth,
    private readonly shutdown: ShutdownState,
    @Optional() @Inject(REDIS_CLIENT) private readonly redis?: Redis | null,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process is up (no dependency checks)' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live() {
    return { status: 'ok' };
  }

  /**
   * The database and Redis decide readiness. The mail transport is reported in `details.mail` but
   * never fails it: messages wait in the outbox and go out once mail is back, while taking the
   * instance out of rotation would also stop sign-ins that need no mail.
   */
  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary: 'Readiness: database, Redis (when configured) and the mail transport, each reported separately',
    description:
      'A database or Redis failure answers 503. The mail transport (`details.mail`, checked at most every 15 s) is reported but does not fail readiness, since the outbox retries. 503 from the moment a shutdown begins.',
  })
  @ApiOkResponse({ description: 'Ready.', schema: { example: READY_EXAMPLE } })
  @ApiServiceUnavailableResponse({
    description: 'A dependency is down or the instance is shutting down (problem+json with the per-dependency `details`).',
    content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDto' } } },
  })
  async ready() {
    if (this.shutdown.stopping) throw shuttingDown();
    const checks: HealthIndicatorFunction[] = [() => this.database.pingCheck('database', { timeout: 1000 })];
    if (this.redis) checks.push(() => this.redisCheck());
    const [result, mail] = await Promise.allSettled([this.health.check(checks), this.mail.check()]);
    const mailStatus = mail.status === 'fulfilled' ? mail.value : undefined;
    if (result.status === 'fulfilled') return withMail(result.value, mailStatus);
    if (result.reason instanceof ServiceUnavailableException) {
      throw new ServiceUnavailableException(withMail(result.reason.getResponse() as HealthCheckResult, mailStatus));
    }
    throw result.reason;
  }

  private async redisCheck() {
    const indicator = this.indicators.check('redis');
    try {
      await Promise.race([
        this.redis!.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout after 1000 ms')), 1000)),
      ]);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}

function withMail(result: HealthCheckResult, mail: MailTransportStatus | undefined): HealthCheckResult {
  if (!mail) return result;
  return { ...result, details: { ...result.details, mail } };
}

function shuttingDown(): ServiceUnavailableException {
  return new ServiceUnavailableException({
    status: 'error',
    info: {},
    error: { shutdown: { status: 'down', message: 'shutting down' } },
    details: { shutdown: { status: 'down', message: 'shutting down' } },
  });
}
