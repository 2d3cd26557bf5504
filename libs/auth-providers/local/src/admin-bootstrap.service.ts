import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { AppError, normalizeEmail } from '@identity/common';
import { ADMIN_ROLE, RbacService } from '@identity/rbac';
import { UsersService } from '@identity/users';
import { LocalAccountsService } from './local-accounts.service';
import { localConfig } from './local.config';

/** Creates the ADMIN_EMAIL account once, so a fresh deployment can be administered. */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminBootstrapService.name);

  constructor(
    @Inject(localConfig.KEY) private readonly config: ConfigType<typeof localConfig>,
    private readonly users: UsersService,
    private readonly rbac: RbacService,
    private readonly accounts: LocalAccountsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.admin;
    if (!admin) return;
    if (await this.users.findByEmail(normalizeEmail(admin.email))) return;
    await this.rbac.ensureSystemRoles();
    try {
      await this.accounts.create({
        email: admin.email,
        password: admin.password,
        displayName: 'Administrator',
        roles: [ADMIN_ROLE],
        verified: true,
      });
      this.logger.log(`created admin account ${admin.email}`);
    } catch (error) {
      // Another instance created it first.
      if (error instanceof AppError && error.code === 'account_exists') return;
      throw error;
    }
  }
}
