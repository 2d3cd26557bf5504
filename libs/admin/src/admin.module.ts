import { Module } from '@nestjs/common';
import { AdminAuditModule } from './audit/admin-audit.module';
import { AdminProvidersModule } from './providers/admin-providers.module';
import { AdminUsersModule } from './users/admin-users.module';

/** Admin endpoints: users, login methods and the audit log, each behind permissions. */
@Module({ imports: [AdminUsersModule, AdminProvidersModule, AdminAuditModule] })
export class AdminModule {}
