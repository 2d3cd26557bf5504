import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { appConfig } from '@identity/common';
import { MfaChallengeEntity } from './mfa-challenge.entity';
import { MfaChallengeService } from './mfa-challenges.service';
import { MfaCleanupService } from './mfa-cleanup.service';
import { mfaConfig } from './mfa.config';
import { MfaService } from './mfa.service';
import { UserMfaEntity } from './user-mfa.entity';

/** Second factors: TOTP, recovery codes and the mfaTokens between the two steps of a sign-in. */
@Module({
  imports: [
    TypeOrmModule.forFeature([UserMfaEntity, MfaChallengeEntity]),
    ConfigModule.forFeature(mfaConfig),
    ConfigModule.forFeature(appConfig),
  ],
  providers: [MfaService, MfaChallengeService, MfaCleanupService],
  exports: [MfaService, MfaChallengeService],
})
export class MfaModule {}
