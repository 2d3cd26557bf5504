import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { SignUpFieldsDto } from '@identity/auth-core';
import { DestinationDto } from '@identity/otp';

const DISPLAY_NAME = /^(?=.*\S)[^\p{Cc}]+$/u;

export class RegisterDto extends IntersectionType(DestinationDto, SignUpFieldsDto) {
  @ApiPropertyOptional({ example: 'cs-2026-042', description: 'Username or roll number: 2-64 letters, digits, or . _ - /.' })
  @IsOptional()
  @IsString()
  @Length(2, 64)
  username?: string;

  @ApiProperty({ format: 'password', description: 'At least PASSWORD_MIN_LENGTH (8) characters, at most PASSWORD_MAX_LENGTH (128).' })
  @IsString()
  @Length(1, 1024)
  password: string;

  @ApiProperty({ example: 'Ada Lovelace', maxLength: 255 })
  @IsString()
  @Length(1, 255)
  @Matches(DISPLAY_NAME, { message: 'displayName must not be blank or contain control characters' })
  displayName: string;
}
