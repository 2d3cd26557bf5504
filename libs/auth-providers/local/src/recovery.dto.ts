import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { DestinationCodeDto } from '@identity/otp';

export class ResetPasswordDto extends DestinationCodeDto {
  @ApiProperty({ format: 'password', description: 'At least PASSWORD_MIN_LENGTH (8) characters, at most PASSWORD_MAX_LENGTH (128).' })
  @IsString()
  @Length(1, 1024)
  newPassword: string;
}
