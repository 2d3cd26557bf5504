import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { OtpAcceptedDto } from '@identity/otp';

/** `{ email } | { phone }`: exactly one, checked by the service after the field checks. */
export class DestinationDto {
  @ApiPropertyOptional({ example: 'ada@example.com', maxLength: 320, description: 'Give either email or phone, not both.' })
  @IsOptional()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({ example: '+4915112345678', description: 'E.164 form, with the leading +. Give either email or phone, not both.' })
  @IsOptional()
  @IsString()
  @Length(3, 32)
  phone?: string;
}

export class DestinationCodeDto extends DestinationDto {
  @ApiProperty({ example: '123456', description: 'The six-digit code that was sent.' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be six digits' })
  code: string;
}

export class CodeSentDto extends OtpAcceptedDto {
  @ApiProperty({ enum: ['email', 'sms'], description: 'How the code was sent.' })
  channel: 'email' | 'sms';
}
