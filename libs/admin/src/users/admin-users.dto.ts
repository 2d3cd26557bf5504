import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, TransformFnParams } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { UserDto } from '@identity/auth-core';
import { SessionDto } from '@identity/sessions';
import { UpdateProfileDto } from '@identity/users';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

// Query strings arrive as text; an empty parameter (`?role=`) means "no filter", not "match ''".
const blankToUndefined = ({ value }: TransformFnParams) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
// Identifiers pasted with stray spaces are the same identifiers (sign-in trims them as well).
const trimmed = ({ value }: TransformFnParams) => (typeof value === 'string' ? value.trim() : value);
const toTrimmed = (params: TransformFnParams) => {
  const value = blankToUndefined(params);
  return typeof value === 'string' ? value.trim() : value;
};
const toBoolean = (params: TransformFnParams) => {
  const value = blankToUndefined(params);
  return value === 'true' ? true : value === 'false' ? false : value;
};
const toInteger = (params: TransformFnParams) => {
  const value = blankToUndefined(params);
  return typeof value === 'string' ? Number(value) : value;
};

export class ListUsersQueryDto {
  @ApiPropertyOptional({
    description:
      'Case-insensitive prefix of the email, phone, username or display name (each served by an index). ' +
      'A search that looks like a phone number is matched on its digits: `+49 151-23` finds +4915123….',
    example: 'ada',
    maxLength: 100,
  })
  @Transform(toTrimmed)
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  @ApiPropertyOptional({ description: 'Only users holding this role (by name).', example: 'admin' })
  @Transform(toTrimmed)
  @IsOptional()
  @IsString()
  @MaxLength(64)
  role?: string;

  @ApiPropertyOptional({ description: 'Only active (true) or deactivated (false) users.', type: Boolean })
  @Transform(toBoolean)
  @IsOptional()
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;

  @ApiPropertyOptional({ description: 'Created at or after this instant (inclusive).', format: 'date-time' })
  @Transform(blankToUndefined)
  @IsOptional()
  @IsISO8601({ strict: true })
  createdFrom?: string;

  @ApiPropertyOptional({ description: 'Created before this instant (exclusive).', format: 'date-time' })
  @Transform(blankToUndefined)
  @IsOptional()
  @IsISO8601({ strict: true })
  createdTo?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @Transform(toInteger)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page, unchanged.' })
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export class UserPageDto {
  @ApiProperty({ type: [UserDto] })
  items: UserDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page. Newest users first.',
  })
  nextCursor: string | null;
}

/** One way the user signs in (DESIGN §5 identity shape). */
export class UserIdentityDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'local', description: 'Login method name.' })
  provider: string;

  @ApiProperty({ type: String, nullable: true, description: "The user's id at the provider." })
  providerUserId: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Email the provider reported.' })
  email: string | null;

  @ApiProperty()
  verified: boolean;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastUsedAt: Date | null;
}

export class AdminUserDetailDto extends UserDto {
  @ApiProperty({ type: [UserIdentityDto] })
  identities: UserIdentityDto[];

  @ApiProperty({ type: [SessionDto], description: 'Active sessions; `current` marks only the caller’s own session.' })
  sessions: SessionDto[];
}

export class CreateUserDto {
  @ApiPropertyOptional({ example: 'ada@example.com', maxLength: 320 })
  @Transform(trimmed)
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({ example: '+4915112345678', description: 'E.164.' })
  @Transform(trimmed)
  @IsOptional()
  @IsString()
  @MaxLength(32)
  phone?: string;

  @ApiPropertyOptional({ example: 'cs-042', description: 'Username or roll number for password sign-in.' })
  @Transform(trimmed)
  @IsOptional()
  @IsString()
  @MaxLength(64)
  username?: string;

  @ApiProperty({ example: 'Ada Lovelace', maxLength: 255 })
  @IsString()
  @Length(1, 255)
  @Matches(/^[^\p{Cc}]+$/u, { message: 'displayName must not contain control characters' })
  displayName: string;

  @ApiPropertyOptional({
    format: 'password',
    description: 'Sets a password (local sign-in). Without one the user signs in by another method or resets it.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 1024)
  password?: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['teacher'],
    description: 'Role names besides `user`, which every account has. Roles granting permissions the caller lacks need roles:write.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  roles?: string[];

  @ApiPropertyOptional({ default: false, description: 'Mark the given email and phone as verified.' })
  @IsOptional()
  @IsBoolean()
  verified?: boolean;
}

/** The profile fields a user may change themselves, plus activation. */
export class AdminUpdateUserDto extends UpdateProfileDto {
  @ApiPropertyOptional({ description: 'false signs the user out everywhere at once and blocks sign-in; true allows it again.' })
  @IsOptional()
  @IsBoolean()
  isActive?: boolean;
}

export class SetRolesDto {
  @ApiProperty({ type: [String], example: ['teacher'], description: 'The complete set of roles; `user` is always kept.' })
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  roles: string[];
}
