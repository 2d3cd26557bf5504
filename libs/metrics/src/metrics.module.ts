import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { DatabaseGauges } from './database-gauges';
import { DeliveryMetricsListener } from './delivery-metrics.listener';
import { HttpMetrics } from './http-metrics';
import { MetricsController } from './metrics.controller';
import { loadMetricsConfig, metricsConfig } from './metrics.config';
import { MetricsTokenGuard } from './metrics-token.guard';
import { ServiceMetrics } from './service-metrics';
import { SecurityMetricsListener } from './security-metrics.listener';

@Module({})
export class MetricsModule {
  /**
   * `GET /metrics` and what feeds it, or nothing at all with METRICS_ENABLED=false (the route then
   * answers 404 like any unknown path). Prometheus' own default metrics are off here: this module
   * collects them into its per-application registry instead (see ServiceMetrics). Global,
   * because the controller is mounted by PrometheusModule and needs the registry and config.
   */
  static register(env: NodeJS.ProcessEnv = process.env): DynamicModule {
    if (!loadMetricsConfig(env).enabled) return { module: MetricsModule };
    return {
      module: MetricsModule,
      global: true,
      imports: [
        ConfigModule.forFeature(metricsConfig),
        PrometheusModule.register({ controller: MetricsController, path: '/metrics', defaultMetrics: { enabled: false } }),
      ],
      providers: [ServiceMetrics, MetricsTokenGuard, HttpMetrics, SecurityMetricsListener, DeliveryMetricsListener, DatabaseGauges],
      exports: [ServiceMetrics, ConfigModule],
    };
  }
}
