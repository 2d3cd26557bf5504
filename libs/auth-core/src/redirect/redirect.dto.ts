import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';

export class ExchangeDto {
  @ApiProperty({ description: 'The one-time `code` the redirect sign-in appended to your redirect_uri.' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{43}$/, { message: 'code is not a code this service issued' })
  code: string;
}

/** Query of the routes that start a redirect sign-in. */
export class RedirectStartQueryDto {
  @ApiProperty({
    example: 'https://app.example.com/auth/done',
    description: 'Where the browser returns with `?code=` (or `?error=`): exactly one of the URLs in REDIRECT_ALLOWLIST.',
  })
  @IsString()
  redirect_uri: string;

  @ApiPropertyOptional({
    enum: ['sign_in', 'link'],
    default: 'sign_in',
    description:
      '`link` (with the bearer token of a recent sign-in) links the provider identity to your account; the browser then returns with `?linked=<provider>` instead of a code.',
  })
  @IsOptional()
  @IsIn(['sign_in', 'link'])
  intent?: 'sign_in' | 'link';
}

export class AuthorizationUrlDto {
  @ApiProperty({
    description:
      'Send the browser here. The answer also sets the cookie that binds the sign-in to this browser: call the route with credentials so it is kept.',
  })
  url: string;
}
