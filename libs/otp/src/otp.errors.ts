import { HttpStatus } from '@nestjs/common';
import { AppError } from '@identity/common';

const retryAfter = (seconds: number) => ({ 'Retry-After': String(Math.max(1, Math.ceil(seconds))) });

/** Errors of the one-time code flows. The same answers whether or not an account exists. */
export const OtpErrors = {
  invalid: (attemptsRemaining?: number) =>
    new AppError(
      HttpStatus.BAD_REQUEST,
      'otp_invalid',
      'Invalid code',
      'The code is wrong, was already used, or was not issued for this purpose and destination.',
      attemptsRemaining === undefined ? {} : { attemptsRemaining },
    ),
  expired: () => new AppError(HttpStatus.BAD_REQUEST, 'otp_expired', 'Code expired', 'The code has expired. Request a new one.'),
  exhausted: () =>
    new AppError(
      HttpStatus.BAD_REQUEST,
      'otp_attempts_exhausted',
      'Too many wrong codes',
      'Too many wrong codes were entered. Request a new code once the current one has expired.',
    ),
  cooldown: (seconds: number) =>
    new AppError(
      HttpStatus.TOO_MANY_REQUESTS,
      'otp_cooldown',
      'Code sent recently',
      'A code was sent moments ago. Wait before asking for another.',
      {},
      retryAfter(seconds),
    ),
  locked: (seconds: number) =>
    new AppError(
      HttpStatus.TOO_MANY_REQUESTS,
      'otp_attempts_exhausted',
      'Too many wrong codes',
      'Too many wrong codes were entered. A new code can be sent once the current one has expired.',
      {},
      retryAfter(seconds),
    ),
  sendLimit: (seconds: number) =>
    new AppError(
      HttpStatus.TOO_MANY_REQUESTS,
      'otp_send_limit',
      'Too many codes requested',
      'Too many codes were requested. Try again later.',
      {},
      retryAfter(seconds),
    ),
};
