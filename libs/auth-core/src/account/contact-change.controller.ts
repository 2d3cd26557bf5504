import { CodeSentDto } from '@identity/otp';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated, Client, ClientContext, CurrentUser, Principal } from '@identity/common';
import { ContactChangeService } from './contact-change.service';
import { ChangeEmailDto, ChangePhoneDto, VerifyEmailChangeDto, VerifyPhoneChangeDto } from './contact-change.dto';
import { UserDto } from './user.dto';

const REQUEST_RULES =
  'Needs a session opened by a sign-in within REAUTH_WINDOW (default 5 minutes) or the current password; otherwise 403 `reauthentication_required` (or `current_password_incorrect`). The answer is the same whether or not another account uses the address; only a free one receives a code. 429 with `Retry-After` during the resend cooldown or beyond the send limits.';
const VERIFY_RULES =
  'The old value stays in place until this succeeds. A wrong, expired or spent code is a 400 problem; 409 `contact_taken` when another account took the address meanwhile (nothing changes).';

@ApiTags('account')
@Controller('me')
export class ContactChangeController {
  constructor(private readonly contacts: ContactChangeService) {}

  @Post('email')
  @HttpCode(202)
  @ApiOperation({ summary: 'Change my email: send a code to the new address', description: REQUEST_RULES })
  @ApiAcceptedResponse({ type: CodeSentDto })
  @ApiAuthenticated(400, 403, 429, 503)
  requestEmail(@CurrentUser() principal: Principal, @Body() body: ChangeEmailDto, @Client() client: ClientContext): Promise<CodeSentDto> {
    return this.contacts.request(principal, 'email', body.email, body.currentPassword, client);
  }

  @Post('email/verify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Change my email: confirm with the code; the new address is verified', description: VERIFY_RULES })
  @ApiOkResponse({ type: UserDto })
  @ApiAuthenticated(400, 409, 503)
  verifyEmail(@CurrentUser() principal: Principal, @Body() body: VerifyEmailChangeDto): Promise<UserDto> {
    return this.contacts.verify(principal, 'email', body.email, body.code);
  }

  @Post('phone')
  @HttpCode(202)
  @ApiOperation({ summary: 'Change my phone number: send a code by SMS to the new number', description: REQUEST_RULES })
  @ApiAcceptedResponse({ type: CodeSentDto })
  @ApiAuthenticated(400, 403, 429, 503)
  requestPhone(@CurrentUser() principal: Principal, @Body() body: ChangePhoneDto, @Client() client: ClientContext): Promise<CodeSentDto> {
    return this.contacts.request(principal, 'phone', body.phone, body.currentPassword, client);
  }

  @Post('phone/verify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Change my phone number: confirm with the code; the new number is verified', description: VERIFY_RULES })
  @ApiOkResponse({ type: UserDto })
  @ApiAuthenticated(400, 409, 503)
  verifyPhone(@CurrentUser() principal: Principal, @Body() body: VerifyPhoneChangeDto): Promise<UserDto> {
    return this.contacts.verify(principal, 'phone', body.phone, body.code);
  }
}
