import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '../errors/problem';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (problem+json with per-field `errors`).',
  401: 'Not authenticated or credentials refused.',
  403: 'Authenticated but not allowed.',
  404: 'Not found.',
  409: 'Conflicts with the current state.',
  413: 'Body too large.',
  429: 'Too many requests.',
  503: 'A dependency is unavailable.',
};

/** Documents the problem+json error responses a route can give. */
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Error.',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDto' } } },
      }),
    ),
  );
}

/** A route that needs a bearer access token: documents the scheme and the 401. */
export function ApiAuthenticated(...statuses: number[]) {
  return applyDecorators(ApiBearerAuth(), ApiProblems(401, ...statuses));
}
