import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated, RequirePermissions, RequiresRecentAuthentication } from '@identity/common';
import { PERMISSIONS } from './permissions';
import { CreateRoleDto, DeleteRoleQueryDto, RoleDto, RoleListDto, UpdateRoleDto } from './role.dto';
import { RolesService } from './roles.service';

@ApiTags('roles')
@Controller('roles')
export class RolesController {
  constructor(private readonly roles: RolesService) {}

  @Get()
  @RequirePermissions(PERMISSIONS.rolesRead)
  @ApiOperation({
    summary: 'List all roles',
    description: 'Sorted by name. Needs `roles:read`. Roles are few, so all are returned at once and `nextCursor` is always null.',
  })
  @ApiOkResponse({ type: RoleListDto })
  @ApiAuthenticated(403)
  async list(): Promise<RoleListDto> {
    return { items: (await this.roles.list()).map((role) => RoleDto.from(role)), nextCursor: null };
  }

  @Get(':id')
  @RequirePermissions(PERMISSIONS.rolesRead)
  @ApiOperation({ summary: 'Get a role', description: 'Needs `roles:read`.' })
  @ApiOkResponse({ type: RoleDto })
  @ApiAuthenticated(400, 403, 404)
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<RoleDto> {
    return RoleDto.from(await this.roles.get(id));
  }

  @Post()
  @RequirePermissions(PERMISSIONS.rolesWrite)
  @RequiresRecentAuthentication()
  @ApiOperation({
    summary: 'Create a custom role',
    description:
      'Needs `roles:write`. Permissions must be known ones (`*` is reserved for the admin role); a role with permissions cannot be self-assignable. 409 `role_exists` when the name is taken.',
  })
  @ApiCreatedResponse({ type: RoleDto })
  @ApiAuthenticated(400, 403, 409)
  async create(@Body() body: CreateRoleDto): Promise<RoleDto> {
    return RoleDto.from(await this.roles.create(body));
  }

  @Put(':id')
  @RequirePermissions(PERMISSIONS.rolesWrite)
  @RequiresRecentAuthentication()
  @ApiOperation({
    summary: 'Change a role',
    description:
      'Needs `roles:write`. The name cannot change. Users holding the role get the new permissions on their next request. A system role only takes a new description (409 `system_role` otherwise).',
  })
  @ApiOkResponse({ type: RoleDto })
  @ApiAuthenticated(400, 403, 404, 409)
  async update(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: UpdateRoleDto): Promise<RoleDto> {
    return RoleDto.from(await this.roles.update(id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermissions(PERMISSIONS.rolesWrite)
  @RequiresRecentAuthentication()
  @ApiOperation({
    summary: 'Delete a custom role',
    description:
      'Needs `roles:write`. 409 `system_role` for system roles; 409 `role_in_use` while users hold it, unless `force=true`, which takes it from them.',
  })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiAuthenticated(400, 403, 404, 409)
  async delete(@Param('id', new ParseUUIDPipe()) id: string, @Query() query: DeleteRoleQueryDto): Promise<void> {
    await this.roles.delete(id, query.force ?? false);
  }
}
