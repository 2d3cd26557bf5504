export * from './firebase-provider.module';
export * from './firebase.config';
export * from './firebase.login-method';
export * from './firebase-token-verifier';
export * from './firebase-sign-in.service';
export * from './firebase.dto';
