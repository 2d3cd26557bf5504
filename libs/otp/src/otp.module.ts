import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OtpChallengeEntity } from './otp-challenge.entity';
import { OtpCleanupService } from './otp-cleanup.service';
import { otpConfig } from './otp.config';
import { OtpService } from './otp.service';

@Module({
  imports: [TypeOrmModule.forFeature([OtpChallengeEntity]), ConfigModule.forFeature(otpConfig)],
  providers: [OtpService, OtpCleanupService],
  exports: [OtpService, OtpCleanupService, ConfigModule],
})
export class OtpModule {}
