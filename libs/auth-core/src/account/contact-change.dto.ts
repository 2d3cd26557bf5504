import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, Matches, MaxLength } from 'class-validator';
import { CurrentPasswordDto } from './shared-fields.dto';

const CODE = /^[0-9]{6}$/;

export class ChangeEmailDto extends CurrentPasswordDto {
  @ApiProperty({ example: 'ada@example.org', maxLength: 320, description: 'The new address; the code goes there.' })
  @IsEmail()
  @MaxLength(320)
  email: string;
}

export class ChangePhoneDto extends CurrentPasswordDto {
  @ApiProperty({ example: '+4915112345678', description: 'The new mobile number in E.164 form; the code goes there by SMS.' })
  @IsString()
  @MaxLength(32)
  phone: string;
}

export class VerifyEmailChangeDto {
  @ApiProperty({ example: 'ada@example.org', maxLength: 320, description: 'The new address, as requested.' })
  @IsEmail()
  @MaxLength(320)
  email: string;

  @ApiProperty({ example: '123456', pattern: '^[0-9]{6}$', description: 'The code sent to the new address.' })
  @IsString()
  @Matches(CODE, { message: 'code must be six digits' })
  code: string;
}

export class VerifyPhoneChangeDto {
  @ApiProperty({ example: '+4915112345678', description: 'The new number, as requested.' })
  @IsString()
  @MaxLength(32)
  phone: string;

  @ApiProperty({ example: '123456', pattern: '^[0-9]{6}$', description: 'The code sent to the new number.' })
  @IsString()
  @Matches(CODE, { message: 'code must be six digits' })
  code: string;
}
