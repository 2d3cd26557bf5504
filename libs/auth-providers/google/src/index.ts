export * from './google-provider.module';
export * from './google.config';
export * from './google.login-method';
export * from './google.dto';
