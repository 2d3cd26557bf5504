import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated, CurrentUser, Principal } from '@identity/common';
import { UpdateProfileDto, UsersService } from '@identity/users';
import { UserDto } from './user.dto';
import { UserViewService } from './user-view.service';

@ApiTags('account')
@Controller('me')
export class AccountController {
  constructor(
    private readonly users: UsersService,
    private readonly views: UserViewService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'My account' })
  @ApiOkResponse({ type: UserDto })
  @ApiAuthenticated()
  me(@CurrentUser() principal: Principal): UserDto | Promise<UserDto> {
    return this.views.byId(principal.userId);
  }

  @Patch()
  @ApiOperation({ summary: 'Update my profile (display name, avatar, country, locale, custom profile fields)' })
  @ApiOkResponse({ type: UserDto })
  @ApiAuthenticated(400)
  async update(@CurrentUser() principal: Principal, @Body() changes: UpdateProfileDto): Promise<UserDto> {
    return this.views.of(await this.users.updateProfile(principal.userId, changes));
  }
}
