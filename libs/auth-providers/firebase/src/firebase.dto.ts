import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsObject, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { IsProfile } from '@identity/users';

const DISPLAY_NAME = /^(?=.*\S)[^\p{Cc}]+$/u;

export class FirebaseTokenDto {
  // Only the size is checked here: anything that is not a valid token, malformed ones included,
  // gets the one 401 answer from the verifier.
  @ApiProperty({ description: 'A Firebase Authentication ID token from the client SDK (`getIdToken()`).', maxLength: 8192 })
  @IsString()
  @Length(1, 8192)
  idToken: string;
}

export class FirebaseSignInDto extends FirebaseTokenDto {
  @ApiPropertyOptional({
    example: 'Ada Lovelace',
    maxLength: 255,
    description: 'Used when this sign-in creates the account; else the token name.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  @Matches(DISPLAY_NAME, { message: 'displayName must not be blank or contain control characters' })
  displayName?: string;

  @ApiPropertyOptional({
    example: 'ada@example.org',
    maxLength: 320,
    description: 'Stored, unverified, when this sign-in creates the account and the token carries no email of its own.',
  })
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
    example: { academicYear: '2026', rollNumber: 'CS-042' },
    description: 'Custom fields stored when this sign-in creates the account: a flat object of string, number or boolean values.',
  })
  @IsOptional()
  @IsObject()
  @IsProfile()
  profile?: Record<string, unknown>;

  @ApiPropertyOptional({
    example: 'student',
    description:
      'A self-assignable role (e.g. teacher or student) given when this sign-in creates the account; every account also gets `user`.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  role?: string;
}

export class FirebaseLinkDto extends FirebaseTokenDto {
  @ApiPropertyOptional({
    format: 'password',
    description: 'Needed unless this session was opened by a sign-in within REAUTH_WINDOW (and only when the account has a password).',
  })
  @IsOptional()
  @IsString()
  @Length(1, 1024)
  currentPassword?: string;
}
