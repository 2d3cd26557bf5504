import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Length } from 'class-validator';
import { IsProfile } from '@identity/users';

/**
 * What a person may give when an account is created for them by any sign-up path (registration,
 * a first Firebase or social sign-in): custom profile fields and a self-assignable role.
 */
export class SignUpFieldsDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
    example: { academicYear: '2026', rollNumber: 'CS-042' },
    description: 'Custom fields stored when the account is created: a flat object of string, number or boolean values.',
  })
  @IsOptional()
  @IsObject()
  @IsProfile()
  profile?: Record<string, unknown>;

  @ApiPropertyOptional({
    example: 'student',
    description:
      'A role this deployment lets people pick themselves (self-assignable, e.g. teacher or student), given when the account is created; every account also gets `user`.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  role?: string;
}

/** The current password, which stands in for a recent sign-in on sensitive changes. */
export class CurrentPasswordDto {
  @ApiPropertyOptional({
    format: 'password',
    description:
      'Needed unless this session authenticated within REAUTH_WINDOW (and only when the account has a password and no second factor).',
  })
  @IsOptional()
  @IsString()
  @Length(1, 1024)
  currentPassword?: string;
}
