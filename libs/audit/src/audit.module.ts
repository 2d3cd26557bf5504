import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { auditConfig } from './audit.config';
import { AuditLogEntity } from './audit-log.entity';
import { AuditQueryService } from './audit-query.service';
import { AuditRetentionService } from './audit-retention.service';
import { AuditListener } from './audit.listener';
import { MySecurityEventsController } from './my-security-events.controller';

@Module({
  imports: [TypeOrmModule.forFeature([AuditLogEntity]), ConfigModule.forFeature(auditConfig)],
  controllers: [MySecurityEventsController],
  providers: [AuditListener, AuditQueryService, AuditRetentionService],
  exports: [TypeOrmModule, AuditQueryService, AuditRetentionService],
})
export class AuditModule {}
