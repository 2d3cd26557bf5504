import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Length } from 'class-validator';

export class RefreshDto {
  @ApiProperty({ description: 'The refresh token from the last token response.' })
  @IsString()
  @Length(20, 200)
  refreshToken: string;
}

export class LogoutDto {
  @ApiPropertyOptional({ default: false, description: 'End every session of the user, not just this one.' })
  @IsOptional()
  @IsBoolean()
  allSessions?: boolean;
}

export class ProviderInfoDto {
  @ApiProperty({ example: 'local' })
  id: string;

  @ApiProperty({ example: 'Password' })
  displayName: string;

  @ApiProperty({ enum: ['password', 'otp', 'oauth', 'id-token'] })
  kind: string;

  @ApiProperty({ type: [String], example: ['sign-in'] })
  supports: string[];
}
