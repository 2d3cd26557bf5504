import { ApiProperty } from '@nestjs/swagger';
import { CurrentPasswordDto } from './shared-fields.dto';

/**
 * One way the account holder signs in. Contacts are shown in full: only the owner sees this list,
 * and it is the same data /me returns. Never a hash or a provider token.
 */
export class IdentityDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'firebase', description: 'Login method id, as in GET /auth/providers.' })
  provider: string;

  @ApiProperty({ example: 'Firebase', description: 'Display name of the login method.' })
  displayName: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The subject at the provider (Firebase uid, Google sub, the address of a code sign-in).',
  })
  providerUserId: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'ada@example.org', description: 'The email the provider reported.' })
  email: string | null;

  @ApiProperty({ type: String, nullable: true, example: '+4915112345678', description: 'The phone number the provider reported.' })
  phone: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Username or roll number (password sign-in).' })
  username: string | null;

  @ApiProperty({ description: 'Whether the provider vouched for who this is when it was linked.' })
  verified: boolean;

  @ApiProperty({ description: 'Whether this method is a password credential.' })
  hasPassword: boolean;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the method was linked (same as linkedAt).' })
  createdAt: Date;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the method was linked.' })
  linkedAt: Date;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Last sign-in with this method.' })
  lastUsedAt: Date | null;
}

export class IdentityListDto {
  @ApiProperty({ type: [IdentityDto] })
  items: IdentityDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Always null: an account has few methods, all listed at once.' })
  nextCursor: string | null;
}

export class UnlinkIdentityDto extends CurrentPasswordDto {}
