import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@identity/audit';
import { SessionEntity } from '@identity/sessions';
import { UserEntity } from '@identity/users';
import { AdminAuditController } from './admin-audit.controller';
import { AdminReportsController } from './admin-reports.controller';
import { AdminReportsService } from './admin-reports.service';

/** Audit log search and security reports for admins. */
@Module({
  imports: [AuditModule, TypeOrmModule.forFeature([SessionEntity, UserEntity])],
  controllers: [AdminAuditController, AdminReportsController],
  providers: [AdminReportsService],
})
export class AdminAuditModule {}
