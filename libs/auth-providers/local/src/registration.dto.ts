import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsProfile } from '@identity/users';
import { DestinationDto } from '@identity/otp';

const DISPLAY_NAME = /^(?=.*\S)[^\p{Cc}]+$/u;

export class RegisterDto extends DestinationDto {
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

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
    example: { academicYear: '2026', rollNumber: 'CS-042' },
    description: 'Custom fields: a flat object of string, number or boolean values.',
  })
  @IsOptional()
  @IsObject()
  @IsProfile()
  profile?: Record<string, unknown>;

  @ApiPropertyOptional({
    example: 'student',
    description: 'A role this deployment lets people pick themselves (self-assignable, no permissions); every account also gets `user`.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  role?: string;
}
