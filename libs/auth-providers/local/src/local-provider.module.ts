import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { LocalLoginController, LocalPasswordController } from './local.controller';
import { localConfig } from './local.config';
import { LocalAccountsService } from './local-accounts.service';
import { LocalLoginMethod } from './local.login-method';

/** Password sign-in (`local`): login by email, phone or username, password change, admin bootstrap. */
@Module({
  imports: [ConfigModule.forFeature(localConfig)],
  controllers: [LocalLoginController, LocalPasswordController],
  providers: [LocalLoginMethod, LocalAccountsService, AdminBootstrapService],
  exports: [LocalAccountsService],
})
export class LocalProviderModule {}
