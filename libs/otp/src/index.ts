export * from './otp-challenge.entity';
