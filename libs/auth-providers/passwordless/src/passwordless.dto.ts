import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** Where the code goes: exactly one of `email` (method `email_otp`) or `phone` (method `mobile_otp`). */
export class OtpDestinationDto {
  @ApiPropertyOptional({ example: 'ada@example.com', maxLength: 320, description: 'Sign in with a code by email. Give email or phone.' })
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({ example: '+4915112345678', description: 'Sign in with a code by SMS: a mobile number in E.164 form.' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  phone?: string;
}

export class OtpVerifyDto extends OtpDestinationDto {
  @ApiProperty({ example: '123456', pattern: '^[0-9]{6}$', description: 'The six-digit code from the message.' })
  @IsString()
  @Matches(/^[0-9]{6}$/, { message: 'code must be six digits' })
  code: string;
}
