import { Body, Controller, Get, Param, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProviderRegistry } from '@identity/auth-core';
import { ApiAuthenticated, Errors, RequirePermissions, RequiresRecentAuthentication, SecurityEvents } from '@identity/common';
import { PERMISSIONS } from '@identity/rbac';
import { LoginMethodAdminDto, LoginMethodListDto, SetLoginMethodEnabledDto } from './admin-providers.dto';

@ApiTags('admin')
@Controller('admin/auth-providers')
export class AdminProvidersController {
  constructor(
    private readonly registry: ProviderRegistry,
    private readonly events: SecurityEvents,
  ) {}

  @Get()
  @RequirePermissions(PERMISSIONS.providersRead)
  @ApiOperation({ summary: 'Login methods of this deployment and their state' })
  @ApiOkResponse({ type: LoginMethodListDto })
  @ApiAuthenticated(403)
  async list(): Promise<LoginMethodListDto> {
    return { items: (await this.registry.statuses()).map(LoginMethodAdminDto.from), nextCursor: null };
  }

  @Patch(':name')
  @RequirePermissions(PERMISSIONS.providersWrite)
  @RequiresRecentAuthentication()
  @ApiOperation({ summary: 'Enable or disable a login method at runtime, on every instance' })
  @ApiOkResponse({ type: LoginMethodAdminDto })
  @ApiAuthenticated(400, 403, 404)
  async setEnabled(@Param('name') name: string, @Body() body: SetLoginMethodEnabledDto): Promise<LoginMethodAdminDto> {
    const status = await this.registry.setEnabled(name, body.enabled);
    if (!status) throw Errors.notFound('login method');
    await this.events.publish({
      action: body.enabled ? 'provider.enabled' : 'provider.disabled',
      success: true,
      metadata: { provider: name },
    });
    return LoginMethodAdminDto.from(status);
  }
}
