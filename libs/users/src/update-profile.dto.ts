import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsLocale, IsObject, IsOptional, IsString, IsUrl, Length, Matches, ValidateIf } from 'class-validator';
import { IsProfile } from './profile.validator';

/** What a user may change about themselves. Anything else in the body is refused. */
export class UpdateProfileDto {
  @ApiPropertyOptional({ example: 'Ada Lovelace', maxLength: 255 })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  @Matches(/^[^\p{Cc}]+$/u, { message: 'displayName must not contain control characters' })
  displayName?: string;

  @ApiPropertyOptional({ example: 'https://example.com/ada.png', nullable: true })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true })
  @Length(1, 2048)
  avatarUrl?: string | null;

  @ApiPropertyOptional({ example: 'GB', nullable: true })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Length(2, 64)
  country?: string | null;

  @ApiPropertyOptional({ example: 'en-GB', nullable: true })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsLocale()
  locale?: string | null;

  @ApiPropertyOptional({
    description: 'Custom profile fields, merged into the stored ones; a null value removes a field.',
    example: { academicYear: '2026', rollNumber: 'CS-042' },
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  @IsObject()
  @IsProfile()
  profile?: Record<string, unknown>;
}
