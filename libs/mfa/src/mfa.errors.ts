import { HttpStatus } from '@nestjs/common';
import { AppError } from '@identity/common';

export const MfaErrors = {
  codeInvalid: (attemptsRemaining?: number) =>
    new AppError(
      HttpStatus.BAD_REQUEST,
      'mfa_code_invalid',
      'Invalid code',
      'The authenticator or recovery code is wrong, or was already used.',
      attemptsRemaining === undefined ? {} : { attemptsRemaining },
    ),
  tokenInvalid: () =>
    new AppError(
      HttpStatus.UNAUTHORIZED,
      'mfa_token_invalid',
      'Sign in again',
      'The mfaToken is unknown, expired, already used or has seen too many wrong codes. Sign in again.',
    ),
  notEnabled: () =>
    new AppError(HttpStatus.CONFLICT, 'mfa_not_enabled', 'Two-step verification is off', 'Two-step verification is not on.'),
  alreadyEnabled: () =>
    new AppError(
      HttpStatus.CONFLICT,
      'mfa_already_enabled',
      'Two-step verification is on',
      'Two-step verification is already on. Turn it off first to enrol another authenticator.',
    ),
  noEnrolment: () =>
    new AppError(
      HttpStatus.CONFLICT,
      'mfa_enrolment_not_started',
      'Nothing to confirm',
      'Start the enrolment with POST /me/mfa/totp first.',
    ),
};
