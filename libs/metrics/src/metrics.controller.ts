import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import { FastifyReply } from 'fastify';
import { ApiProblems, Public } from '@identity/common';
import { MetricsTokenGuard } from './metrics-token.guard';
import { ServiceMetrics } from './service-metrics';

/**
 * `GET /metrics` in the Prometheus text format. It skips the access-token guard (scrapers have no
 * user) and takes METRICS_TOKEN instead when one is configured.
 */
@ApiTags('operations')
@Public()
@UseGuards(MetricsTokenGuard)
@Controller()
export class MetricsController extends PrometheusController {
  constructor(private readonly metrics: ServiceMetrics) {
    super();
  }

  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'Text exposition format. Needs `Authorization: Bearer <METRICS_TOKEN>` when that variable is set; absent (404) with METRICS_ENABLED=false.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Metrics in the Prometheus text format.', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiProblems(401)
  override async index(@Res({ passthrough: true }) response: FastifyReply): Promise<string> {
    response.header('Content-Type', this.metrics.registry.contentType);
    response.header('Cache-Control', 'no-store');
    return this.metrics.registry.metrics();
  }
}
