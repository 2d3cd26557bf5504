import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { MfaRequiredDto, TokenResponseDto } from './account/user.dto';

/**
 * Documents a sign-in answer: tokens, or `{ mfaRequired, mfaToken, methods }` when the account
 * has a second factor. Every first factor answers this way.
 */
export const ApiSignInResponse = (description = 'Signed in, or the second step is needed.', status: number = HttpStatus.OK) =>
  applyDecorators(
    ApiExtraModels(TokenResponseDto, MfaRequiredDto),
    ApiResponse({
      status,
      description,
      schema: { oneOf: [{ $ref: getSchemaPath(TokenResponseDto) }, { $ref: getSchemaPath(MfaRequiredDto) }] },
    }),
  );
