import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { LocalLoginController, LocalPasswordController } from './local.controller';
import { localConfig } from './local.config';
import { LocalAccountsService } from './local-accounts.service';
import { LocalLoginMethod } from './local.login-method';
import { PendingRegistrationCleanupService } from './pending-registration-cleanup.service';
import { PendingRegistrationEntity } from './pending-registration.entity';
import { RecoveryController } from './recovery.controller';
import { RecoveryService } from './recovery.service';
import { RegistrationController } from './registration.controller';
import { RegistrationService } from './registration.service';

/**
 * Password accounts (`local`): OTP-first registration, login by email, phone or username,
 * password change and recovery, admin bootstrap.
 */
@Module({
  imports: [ConfigModule.forFeature(localConfig), TypeOrmModule.forFeature([PendingRegistrationEntity])],
  controllers: [LocalLoginController, LocalPasswordController, RegistrationController, RecoveryController],
  providers: [
    LocalLoginMethod,
    LocalAccountsService,
    AdminBootstrapService,
    RegistrationService,
    RecoveryService,
    PendingRegistrationCleanupService,
  ],
  exports: [LocalAccountsService, PendingRegistrationCleanupService],
})
export class LocalProviderModule {}
