export * from './metrics.config';
export * from './metrics.module';
export * from './service-metrics';
export * from './metrics-token.guard';
export * from './http-metrics';
export * from './security-metrics.listener';
export * from './database-gauges';
