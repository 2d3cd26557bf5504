import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export class FieldErrorDto {
  @ApiProperty({ example: 'identifier' })
  field: string;

  @ApiProperty({ type: [String], example: ['identifier must be a string'] })
  messages: string[];
}

/** RFC 9457 problem document as this service renders it. */
export class ProblemDto {
  @ApiProperty({ example: 'about:blank' })
  type: string;

  @ApiProperty({ example: 'Validation failed' })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiPropertyOptional({ example: 'The request has invalid fields.' })
  detail?: string;

  @ApiProperty({ example: 'validation_failed', description: 'Stable snake_case error code.' })
  code: string;

  @ApiPropertyOptional({ example: '/api/v1/auth/login' })
  instance?: string;

  @ApiPropertyOptional({ type: [FieldErrorDto] })
  errors?: FieldErrorDto[];
}
