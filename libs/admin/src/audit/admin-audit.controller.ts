import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditEventDto, AuditEventListDto, AuditQueryService } from '@identity/audit';
import { ApiAuthenticated, RequirePermissions } from '@identity/common';
import { PERMISSIONS } from '@identity/rbac';
import { AuditSearchQueryDto } from './admin-audit.dto';

@ApiTags('admin')
@Controller('admin/audit-logs')
export class AdminAuditController {
  constructor(private readonly audit: AuditQueryService) {}

  @Get()
  @RequirePermissions(PERMISSIONS.auditRead)
  @ApiOperation({
    summary: 'Search the audit log',
    description:
      'Security events of every account, newest first, filtered by any combination of account, actor, action(s), ' +
      'outcome, client IP and time range. Cursor-paginated: pass `nextCursor` back as `cursor` (with the same filters) ' +
      'until it is null. Needs `audit:read`.',
  })
  @ApiOkResponse({ type: AuditEventListDto })
  @ApiAuthenticated(400, 403)
  async search(@Query() query: AuditSearchQueryDto): Promise<AuditEventListDto> {
    const { limit, cursor, action, ...filter } = query;
    const page = await this.audit.search({ ...filter, actions: action }, { limit, cursor });
    return { items: page.items.map((row) => AuditEventDto.from(row)), nextCursor: page.nextCursor };
  }
}
