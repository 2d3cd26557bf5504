export * from './local-provider.module';
export * from './local-accounts.service';
export * from './local.login-method';
export * from './local.config';
export * from './pending-registration.entity';
export * from './pending-registration-cleanup.service';
