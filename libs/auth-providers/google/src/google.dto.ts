import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';

export class GoogleIdTokenDto {
  @ApiProperty({ description: 'The Google ID token the app received from Google Sign-In (a JWT).' })
  @IsString()
  @Length(20, 8192)
  idToken: string;

  @ApiPropertyOptional({ description: 'The nonce the app gave Google Sign-In; the token must then carry the same one.' })
  @IsOptional()
  @IsString()
  @Length(8, 256)
  nonce?: string;
}
