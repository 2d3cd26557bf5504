import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated, CurrentUser, Principal, RequirePermissions } from '@identity/common';
import { UserDto } from '@identity/auth-core';
import { PERMISSIONS } from '@identity/rbac';
import { RevokedCountDto } from '@identity/sessions';
import { AdminUpdateUserDto, AdminUserDetailDto, CreateUserDto, ListUsersQueryDto, SetRolesDto, UserPageDto } from './admin-users.dto';
import { AdminUsersService } from './admin-users.service';
import { UserDirectoryService } from './user-directory.service';

const UserId = () => Param('id', new ParseUUIDPipe());

@ApiTags('admin')
@Controller('admin/users')
export class AdminUsersController {
  constructor(
    private readonly directory: UserDirectoryService,
    private readonly admin: AdminUsersService,
  ) {}

  @Get()
  @RequirePermissions(PERMISSIONS.usersRead)
  @ApiOperation({
    summary: 'List and search users',
    description: 'Newest first. Follow `nextCursor` for further pages; filters combine with AND. Needs users:read.',
  })
  @ApiOkResponse({ type: UserPageDto })
  @ApiAuthenticated(400, 403)
  list(@Query() query: ListUsersQueryDto): Promise<UserPageDto> {
    return this.directory.list(query);
  }

  @Get(':id')
  @RequirePermissions(PERMISSIONS.usersRead)
  @ApiOperation({ summary: 'One user with their sign-in identities and active sessions', description: 'Needs users:read.' })
  @ApiOkResponse({ type: AdminUserDetailDto })
  @ApiAuthenticated(400, 403, 404)
  get(@UserId() id: string, @CurrentUser() caller: Principal): Promise<AdminUserDetailDto> {
    return this.directory.detail(id, caller.sessionId);
  }

  @Post()
  @RequirePermissions(PERMISSIONS.usersWrite)
  @ApiOperation({
    summary: 'Create a user',
    description:
      'At least one of email, phone or username. With a password (or a username) the user can sign in with POST /auth/login. ' +
      'Needs users:write; granting a role with permissions the caller lacks (e.g. admin) also needs roles:write.',
  })
  @ApiCreatedResponse({ type: UserDto })
  @ApiAuthenticated(400, 403, 409)
  create(@Body() body: CreateUserDto, @CurrentUser() caller: Principal): Promise<UserDto> {
    return this.admin.create(body, caller);
  }

  @Patch(':id')
  @RequirePermissions(PERMISSIONS.usersWrite)
  @ApiOperation({
    summary: 'Update a user’s profile, or deactivate / reactivate them',
    description:
      '`isActive: false` revokes every session at once, so the user’s access and refresh tokens stop working; admins cannot deactivate themselves (409 `cannot_modify_self`). Needs users:write.',
  })
  @ApiOkResponse({ type: UserDto })
  @ApiAuthenticated(400, 403, 404, 409)
  update(@UserId() id: string, @Body() body: AdminUpdateUserDto, @CurrentUser() caller: Principal): Promise<UserDto> {
    return this.admin.update(id, body, caller);
  }

  @Put(':id/roles')
  @RequirePermissions(PERMISSIONS.usersWrite, PERMISSIONS.rolesWrite)
  @ApiOperation({
    summary: 'Replace a user’s roles',
    description:
      'The `user` role always stays. Applies from the user’s next request. Admins cannot remove their own last role that lets them manage roles (409 `last_admin_role`). Needs users:write and roles:write.',
  })
  @ApiOkResponse({ type: UserDto })
  @ApiAuthenticated(400, 403, 404, 409)
  setRoles(@UserId() id: string, @Body() body: SetRolesDto, @CurrentUser() caller: Principal): Promise<UserDto> {
    return this.admin.setRoles(id, body.roles, caller);
  }

  @Post(':id/unlock')
  @HttpCode(204)
  @RequirePermissions(PERMISSIONS.usersWrite)
  @ApiOperation({
    summary: 'Clear sign-in lockouts of a user',
    description:
      'Lifts the lockouts of every identifier of the user (email, phone number, usernames) on every flow: password, codes, recovery and second factor. Audited as `user.unlocked`. Needs users:write.',
  })
  @ApiNoContentResponse({ description: 'No lockout remains.' })
  @ApiAuthenticated(400, 403, 404)
  unlock(@UserId() id: string): Promise<void> {
    return this.admin.unlock(id);
  }

  @Delete(':id/sessions')
  @RequirePermissions(PERMISSIONS.sessionsRevoke)
  @ApiOperation({
    summary: 'Sign a user out everywhere',
    description: 'Their refresh and access tokens stop working. Needs sessions:revoke.',
  })
  @ApiOkResponse({ type: RevokedCountDto })
  @ApiAuthenticated(400, 403, 404)
  async revokeSessions(@UserId() id: string): Promise<RevokedCountDto> {
    return { revoked: await this.admin.revokeSessions(id) };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermissions(PERMISSIONS.usersDelete)
  @ApiOperation({
    summary: 'Delete a user',
    description:
      'Removes the account with its identities, roles and sessions. Its audit history stays, with the user id cleared. Admins cannot delete themselves (409 `cannot_modify_self`). Needs users:delete.',
  })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiAuthenticated(400, 403, 404, 409)
  remove(@UserId() id: string, @CurrentUser() caller: Principal): Promise<void> {
    return this.admin.remove(id, caller);
  }
}
