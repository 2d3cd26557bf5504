import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsOptional, IsString, Length, Matches, ValidateIf } from 'class-validator';
import { ALL_PERMISSIONS } from './permissions';
import { RoleEntity } from './role.entity';

/** Lowercase, so names compare the same in both dialects' collations and in tokens. */
export const ROLE_NAME = /^[a-z][a-z0-9_-]{1,63}$/;
const NO_CONTROL_CHARS = /^[^\p{Cc}]*$/u;
// Generous: a list longer than every permission there is can only be a mistake or an attack.
const MAX_PERMISSIONS = 64;

export class RoleDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'teacher' })
  name: string;

  @ApiProperty({ type: String, nullable: true, example: 'Teaching staff.' })
  description: string | null;

  @ApiProperty({
    type: [String],
    example: ['users:read'],
    description: `Permissions the role grants: any of ${ALL_PERMISSIONS.join(', ')}; the system admin role holds \`*\` (all).`,
  })
  permissions: string[];

  @ApiProperty({ description: 'System roles (admin, user) cannot be deleted and their permissions cannot change.' })
  isSystem: boolean;

  @ApiProperty({ description: 'Whether users may pick this role for themselves at sign-up; only roles without permissions can be.' })
  selfAssignable: boolean;

  static from(role: RoleEntity): RoleDto {
    return {
      id: role.id,
      name: role.name,
      description: role.description,
      permissions: role.permissions,
      isSystem: role.isSystem,
      selfAssignable: role.selfAssignable,
    };
  }
}

export class RoleListDto {
  @ApiProperty({ type: [RoleDto] })
  items: RoleDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Always null: there are few roles, all are returned.' })
  nextCursor: string | null;
}

export class CreateRoleDto {
  @ApiProperty({ example: 'support_agent', pattern: ROLE_NAME.source, description: 'Lowercase; cannot be changed later.' })
  @IsString()
  @Matches(ROLE_NAME, { message: 'name must start with a lowercase letter and have 2-64 of a-z, 0-9, _ and -' })
  name: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 255, example: 'Answers support tickets.' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Length(0, 255)
  @Matches(NO_CONTROL_CHARS, { message: 'description must not contain control characters' })
  description?: string | null;

  @ApiProperty({
    enum: ALL_PERMISSIONS,
    isArray: true,
    example: ['users:read', 'sessions:revoke'],
    description: '`*` is reserved for admin.',
  })
  @IsArray()
  @ArrayMaxSize(MAX_PERMISSIONS)
  @IsString({ each: true })
  permissions: string[];

  @ApiPropertyOptional({ default: false, description: 'Only a role without permissions may be self-assignable.' })
  @IsOptional()
  @IsBoolean()
  selfAssignable?: boolean;
}

/** The name is immutable: tokens and clients refer to roles by name. */
export class UpdateRoleDto {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 255 })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Length(0, 255)
  @Matches(NO_CONTROL_CHARS, { message: 'description must not contain control characters' })
  description?: string | null;

  @ApiPropertyOptional({ enum: ALL_PERMISSIONS, isArray: true, description: 'Replaces the whole list. Not allowed on system roles.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_PERMISSIONS)
  @IsString({ each: true })
  permissions?: string[];

  @ApiPropertyOptional({ description: 'Not allowed on system roles, nor on a role with permissions.' })
  @IsOptional()
  @IsBoolean()
  selfAssignable?: boolean;
}

export class DeleteRoleQueryDto {
  @ApiPropertyOptional({ description: 'Delete even while users hold the role; they lose it.', default: false })
  @IsOptional()
  // Query values arrive as strings; anything but true/false stays a string and fails @IsBoolean.
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  force?: boolean;
}
