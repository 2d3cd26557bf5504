import { Controller, Get, Inject, Optional, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorFunction,
  HealthIndicatorResult,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import Redis from 'ioredis';
import { PROBLEM_CONTENT_TYPE, Public, REDIS_CLIENT } from '@identity/common';
import { MailTransportHealth, MailTransportStatus } from '@identity/messaging';
import { ShutdownState } from './graceful-shutdown';

const READY_EXAMPLE = {
  status: 'ok',
  info: { database: { status: 'up' } },
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
   * The database decides readiness. Redis and the mail transport are reported in `details` but
   * never fail it, because the service works on without them: rate limits and lockouts fall back
   * to each instance's memory, messages wait in the outbox. Failing readiness would make a load
   * balancer pull every instance at once and turn a Redis or mail outage into a full one.
   */
  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary: 'Readiness: database, Redis (when configured) and the mail transport, each reported separately',
    description:
      'A database failure answers 503. Redis (`details.redis`) and the mail transport (`details.mail`, checked at most every 15 s) are reported but do not fail readiness: limits fall back to instance memory and the outbox retries. 503 from the moment a shutdown begins.',
  })
  @ApiOkResponse({ description: 'Ready.', schema: { example: READY_EXAMPLE } })
  @ApiServiceUnavailableResponse({
    description: 'A dependency is down or the instance is shutting down (problem+json with the per-dependency `details`).',
    content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDto' } } },
  })
  async ready() {
    if (this.shutdown.stopping) throw shuttingDown();
    const checks: HealthIndicatorFunction[] = [() => this.database.pingCheck('database', { timeout: 1000 })];
    const [result, redis, mail] = await Promise.allSettled([
      this.health.check(checks),
      this.redis ? this.redisStatus() : Promise.resolve(undefined),
      this.mail.check(),
    ]);
    const advisory = { redis: fulfilled(redis), mail: fulfilled(mail) };
    if (result.status === 'fulfilled') return withAdvisory(result.value, advisory);
    if (result.reason instanceof ServiceUnavailableException) {
      throw new ServiceUnavailableException(withAdvisory(result.reason.getResponse() as HealthCheckResult, advisory));
    }
    throw result.reason;
  }

  private async redisStatus(): Promise<HealthIndicatorResult['redis']> {
    try {
      await Promise.race([
        this.redis!.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout after 1000 ms')), 1000)),
      ]);
      return { status: 'up' };
    } catch (error) {
      return { status: 'down', message: (error as Error).message };
    }
  }
}

type AdvisoryStatus = HealthIndicatorResult[string] | MailTransportStatus;

const fulfilled = <T>(outcome: PromiseSettledResult<T>): T | undefined => (outcome.status === 'fulfilled' ? outcome.value : undefined);

/** Adds the dependencies that are reported without deciding readiness to its `details`. */
function withAdvisory(result: HealthCheckResult, advisory: Record<string, AdvisoryStatus | undefined>): HealthCheckResult {
  const reported = Object.fromEntries(Object.entries(advisory).filter(([, status]) => status !== undefined)) as HealthIndicatorResult;
  return { ...result, details: { ...result.details, ...reported } };
}

function shuttingDown(): ServiceUnavailableException {
  return new ServiceUnavailableException({
    status: 'error',
    info: {},
    error: { shutdown: { status: 'down', message: 'shutting down' } },
    details: { shutdown: { status: 'down', message: 'shutting down' } },
  });
}
