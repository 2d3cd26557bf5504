import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';

const NO_CONTROL_CHARS = /^[^\p{Cc}]+$/u;

export class LoginDto {
  @ApiProperty({
    description: 'Email, phone number in E.164 form (+4915112345678), or username / roll number.',
    example: 'ada@example.com',
    maxLength: 320,
  })
  @IsString()
  @Length(1, 320)
  @Matches(NO_CONTROL_CHARS, { message: 'identifier must not contain control characters' })
  identifier: string;

  @ApiProperty({ example: 'correct horse battery staple', maxLength: 1024, format: 'password' })
  @IsString()
  @Length(1, 1024)
  password: string;
}

export class ChangePasswordDto {
  @ApiProperty({ format: 'password' })
  @IsString()
  @Length(1, 1024)
  currentPassword: string;

  @ApiProperty({ format: 'password', description: 'At least PASSWORD_MIN_LENGTH (8) characters, at most PASSWORD_MAX_LENGTH (128).' })
  @IsString()
  @Length(1, 1024)
  newPassword: string;
}

export class SetPasswordDto {
  @ApiProperty({ format: 'password', description: 'At least PASSWORD_MIN_LENGTH (8) characters, at most PASSWORD_MAX_LENGTH (128).' })
  @IsString()
  @Length(1, 1024)
  newPassword: string;
}
