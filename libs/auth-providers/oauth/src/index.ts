export * from './oauth-provider.module';
export * from './oauth.config';
export * from './oauth.login-methods';
export * from './oauth-providers';
