export * from './otp-challenge.entity';
export * from './otp-code';
export * from './otp.config';
export * from './otp.errors';
export * from './otp.dto';
export * from './otp.service';
export * from './otp-cleanup.service';
export * from './otp.module';
