import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated, CurrentUser, Principal } from '@identity/common';
import { AuditEventDto, AuditEventListDto, AuditPageQueryDto } from './audit-event.dto';
import { AuditQueryService } from './audit-query.service';

@ApiTags('account')
@Controller('me/security-events')
export class MySecurityEventsController {
  constructor(private readonly audit: AuditQueryService) {}

  @Get()
  @ApiOperation({
    summary: 'My security history',
    description:
      'Sign-ins (also failed ones), refreshes, sign-outs, password and account changes of my account, newest first. ' +
      'Cursor-paginated: pass `nextCursor` back as `cursor` until it is null.',
  })
  @ApiOkResponse({ type: AuditEventListDto })
  @ApiAuthenticated(400)
  async list(@CurrentUser() principal: Principal, @Query() query: AuditPageQueryDto): Promise<AuditEventListDto> {
    const page = await this.audit.search({ userId: principal.userId }, query);
    return { items: page.items.map((row) => AuditEventDto.forAccountHolder(row)), nextCursor: page.nextCursor };
  }
}
