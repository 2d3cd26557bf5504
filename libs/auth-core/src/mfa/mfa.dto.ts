import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';

const NO_CONTROL_CHARS = /^[^\p{Cc}]+$/u;

/** A six-digit code from the authenticator app, or (where accepted) a recovery code. */
export class MfaCodeDto {
  @ApiProperty({
    example: '123456',
    description: 'Six digits from the authenticator app; where the route says so, a recovery code such as `abcde-fgh23` instead.',
  })
  @IsString()
  @Length(6, 32)
  @Matches(NO_CONTROL_CHARS, { message: 'code must not contain control characters' })
  code: string;
}

export class TotpCodeDto {
  @ApiProperty({ example: '123456', pattern: '^[0-9]{6}$', description: 'Six digits from the authenticator app.' })
  @IsString()
  @Matches(/^[0-9]{6}$/, { message: 'code must be six digits' })
  code: string;
}

export class MfaVerifyDto extends MfaCodeDto {
  @ApiProperty({ description: 'The mfaToken of the sign-in answer.' })
  @IsString()
  @Length(20, 200)
  mfaToken: string;
}

export class ReauthenticateDto {
  @ApiPropertyOptional({ format: 'password', description: 'The account password; used when two-step verification is off.' })
  @IsOptional()
  @IsString()
  @Length(1, 1024)
  password?: string;

  @ApiPropertyOptional({ example: '123456', description: 'A current authenticator code; required when two-step verification is on.' })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9]{6}$/, { message: 'code must be six digits' })
  code?: string;
}

export class ReauthenticatedDto {
  @ApiProperty({ type: String, format: 'date-time', description: 'The new authentication time of this session.' })
  authTime: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'Until when changes that need a recent authentication are allowed.' })
  recentUntil: string;
}

export class TotpEnrolmentDto {
  @ApiProperty({ example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', description: 'Base32 secret, for typing into an authenticator by hand.' })
  secret: string;

  @ApiProperty({ example: 'otpauth://totp/Identity:ada%40example.com?secret=…&issuer=Identity' })
  otpauthUri: string;

  @ApiProperty({ example: 'data:image/png;base64,…', description: 'The otpauthUri as a QR code (PNG data URL).' })
  qrCodeDataUrl: string;
}

export class RecoveryCodesDto {
  @ApiProperty({
    type: [String],
    example: ['abcde-fgh23'],
    description: 'Ten single-use codes, shown this once: only their hashes are kept.',
  })
  recoveryCodes: string[];
}

export class MfaStatusDto {
  @ApiProperty({ description: 'Two-step verification is on: every sign-in needs a second factor.' })
  enabled: boolean;

  @ApiProperty({ description: 'An enrolment was started and awaits its confirmation code.' })
  pendingEnrolment: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  enabledAt: Date | null;

  @ApiProperty({ example: 10 })
  recoveryCodesLeft: number;

  @ApiProperty({ type: [String], example: ['totp', 'recovery_code'], description: 'Second factors a sign-in accepts.' })
  methods: string[];
}
