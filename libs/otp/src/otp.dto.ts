import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';

/** The 202 answer of every "send me a code" request, identical whether or not an account exists. */
export class CodeSentDto {
  @ApiProperty({ example: 'a*****e@example.com', description: 'Where the code went, masked.' })
  destination: string;

  @ApiProperty({ enum: ['email', 'sms'], description: 'How the code was sent.' })
  channel: 'email' | 'sms';

  @ApiProperty({ example: '2026-01-01T12:10:00.000Z', description: 'When the code stops working.' })
  expiresAt: string;
}

/** `{ email } | { phone }`: exactly one, checked by `destinationOf` after the field checks. */
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
  @ApiProperty({ example: '123456', pattern: '^[0-9]{6}$', description: 'The six-digit code that was sent.' })
  @IsString()
  @Matches(/^[0-9]{6}$/, { message: 'code must be six digits' })
  code: string;
}
