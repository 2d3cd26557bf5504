import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { LoginMethodStatus } from '@identity/auth-core';

export class LoginMethodAdminDto {
  @ApiProperty({ example: 'google' })
  name: string;

  @ApiProperty({ example: 'Google' })
  displayName: string;

  @ApiProperty({ enum: ['password', 'otp', 'oauth', 'id-token'] })
  kind: string;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ description: 'The admin switch.' })
  enabled: boolean;

  @ApiProperty({ description: 'Usable by clients now: mounted, configured and enabled.' })
  active: boolean;

  @ApiProperty({ description: 'Its module is loaded in this deployment (AUTH_PROVIDERS).' })
  mounted: boolean;

  @ApiProperty({ description: 'It has the settings it needs (e.g. OAuth client id).' })
  configured: boolean;

  static from({ row, mounted, configured }: LoginMethodStatus): LoginMethodAdminDto {
    return {
      name: row.name,
      displayName: row.displayName,
      kind: row.kind,
      description: row.description,
      enabled: row.isEnabled,
      active: row.isEnabled && mounted && configured,
      mounted,
      configured,
    };
  }
}

export class LoginMethodListDto {
  @ApiProperty({ type: [LoginMethodAdminDto] })
  items: LoginMethodAdminDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Always null: there are few login methods.' })
  nextCursor: null;
}

export class SetLoginMethodEnabledDto {
  @ApiProperty({ description: 'false stops the method at once on every instance: its routes answer 404.' })
  @IsBoolean()
  enabled: boolean;
}
