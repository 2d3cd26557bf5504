import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated, RequirePermissions } from '@identity/common';
import { PERMISSIONS } from '@identity/rbac';
import { ActiveSessionsQueryDto, ActiveSessionsReportDto, FailedLoginsQueryDto, FailedLoginsReportDto } from './admin-audit.dto';
import { AdminReportsService } from './admin-reports.service';

@ApiTags('admin')
@Controller('admin/reports')
export class AdminReportsController {
  constructor(private readonly reports: AdminReportsService) {}

  @Get('failed-logins')
  @RequirePermissions(PERMISSIONS.auditRead)
  @ApiOperation({
    summary: 'Failed sign-ins per UTC day',
    description:
      'For each of the last `days` UTC days (today included, oldest first, zeros included): failed sign-in attempts ' +
      'and how many distinct existing accounts they targeted. Needs `audit:read`.',
  })
  @ApiOkResponse({ type: FailedLoginsReportDto })
  @ApiAuthenticated(400, 403)
  async failedLogins(@Query() query: FailedLoginsQueryDto): Promise<FailedLoginsReportDto> {
    return { items: await this.reports.failedLogins(query.days ?? 30) };
  }

  @Get('active-sessions')
  @RequirePermissions(PERMISSIONS.usersRead)
  @ApiOperation({
    summary: 'Users with the most active sessions',
    description: 'Accounts by number of sessions that are neither revoked nor expired, most first. Needs `users:read`.',
  })
  @ApiOkResponse({ type: ActiveSessionsReportDto })
  @ApiAuthenticated(400, 403)
  async activeSessions(@Query() query: ActiveSessionsQueryDto): Promise<ActiveSessionsReportDto> {
    return { items: await this.reports.activeSessions(query.limit ?? 50) };
  }
}
