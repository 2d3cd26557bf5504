export * from './passwordless-provider.module';
export * from './passwordless.login-methods';
export * from './passwordless-sign-in.service';
