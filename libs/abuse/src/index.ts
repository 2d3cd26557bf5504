export * from './abuse.config';
export * from './rate-limit.decorator';
export * from './lockout.service';
export * from './request-identifier';
export * from './abuse.module';
export * from './attempt-counter';
