import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated, CurrentUser, Principal } from '@identity/common';
import { IdentitiesService } from './identities.service';
import { IdentityListDto, UnlinkIdentityDto } from './identity.dto';

@ApiTags('account')
@Controller('me/identities')
export class IdentitiesController {
  constructor(private readonly identities: IdentitiesService) {}

  @Get()
  @ApiOperation({ summary: 'The sign-in methods linked to my account' })
  @ApiOkResponse({ type: IdentityListDto })
  @ApiAuthenticated()
  async list(@CurrentUser() principal: Principal): Promise<IdentityListDto> {
    return { items: await this.identities.list(principal.userId), nextCursor: null };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Unlink one of my sign-in methods',
    description:
      'Needs a session opened by a sign-in within REAUTH_WINDOW or `currentPassword` in the body (401 `reauthentication_required` / 403 `current_password_incorrect`). 409 `last_sign_in_method` when no other method could still sign in (a password credential counts); 404 for a method that is not mine. Sessions already open stay open.',
  })
  @ApiNoContentResponse({ description: 'Unlinked; audited as identity.unlinked.' })
  @ApiAuthenticated(400, 403, 404, 409)
  async unlink(
    @CurrentUser() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: UnlinkIdentityDto = {},
  ): Promise<void> {
    await this.identities.unlink(principal, id, body?.currentPassword);
  }
}
