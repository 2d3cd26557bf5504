import { ApiProperty } from '@nestjs/swagger';

/** The public view of a user. Never carries a hash or secret. */
export class UserDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, nullable: true, example: 'ada@example.com' })
  email: string | null;

  @ApiProperty()
  emailVerified: boolean;

  @ApiProperty({ type: String, nullable: true, example: '+4915112345678' })
  phone: string | null;

  @ApiProperty()
  phoneVerified: boolean;

  @ApiProperty({ type: String, nullable: true, example: 'cs-042', description: 'Username or roll number (local sign-in).' })
  username: string | null;

  @ApiProperty({ example: 'Ada Lovelace' })
  displayName: string;

  @ApiProperty({ type: String, nullable: true })
  avatarUrl: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'GB' })
  country: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'en-GB' })
  locale: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { academicYear: '2026' } })
  profile: Record<string, unknown>;

  @ApiProperty({ type: [String], example: ['user'] })
  roles: string[];

  @ApiProperty()
  mfaEnabled: boolean;

  @ApiProperty()
  isActive: boolean;

  // ISO 8601 strings rather than Dates: views are cached and sent often, and a Date costs
  // JSON.stringify a call to toJSON every time.
  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastLoginAt: string | null;
}

export class TokenResponseDto {
  @ApiProperty({ example: 'Bearer' })
  tokenType: 'Bearer';

  @ApiProperty({ description: 'Signed JWT (RS256, ES256 or EdDSA, per JWT_ALGORITHM); verify with /.well-known/jwks.json.' })
  accessToken: string;

  @ApiProperty({ example: 900, description: 'Access token lifetime in seconds.' })
  expiresIn: number;

  @ApiProperty({ description: 'Opaque; single use: every refresh returns a new one.' })
  refreshToken: string;

  @ApiProperty({ example: 604800, description: 'Seconds until the refresh token expires if unused.' })
  refreshExpiresIn: number;

  @ApiProperty({ format: 'uuid' })
  sessionId: string;

  @ApiProperty({ type: UserDto })
  user: UserDto;
}

/** The answer of a sign-in whose account has MFA on: no tokens and no session yet. */
export class MfaRequiredDto {
  @ApiProperty({ enum: [true], example: true })
  mfaRequired: true;

  @ApiProperty({ description: 'Single use, short-lived (MFA_TOKEN_TTL); send it with a code to POST /auth/mfa/verify.' })
  mfaToken: string;

  @ApiProperty({ type: [String], enum: ['totp', 'recovery_code'], example: ['totp', 'recovery_code'] })
  methods: string[];

  @ApiProperty({ example: 300, description: 'Seconds until the mfaToken expires.' })
  expiresIn: number;
}
