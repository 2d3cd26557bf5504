import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { CurrentPasswordDto, SignUpFieldsDto } from '@identity/auth-core';

const DISPLAY_NAME = /^(?=.*\S)[^\p{Cc}]+$/u;

export class FirebaseTokenDto {
  // Only the size is checked here: anything that is not a valid token, malformed ones included,
  // gets the one 401 answer from the verifier.
  @ApiProperty({ description: 'A Firebase Authentication ID token from the client SDK (`getIdToken()`).', maxLength: 8192 })
  @IsString()
  @Length(1, 8192)
  idToken: string;
}

export class FirebaseSignInDto extends IntersectionType(FirebaseTokenDto, SignUpFieldsDto) {
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
    description:
      'Kept on the Firebase identity (not the account: it is unverified) when this sign-in creates the account and the token carries no email of its own.',
  })
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  email?: string;
}

export class FirebaseLinkDto extends IntersectionType(FirebaseTokenDto, CurrentPasswordDto) {}
