import { HttpStatus } from '@nestjs/common';
import { AppError } from '@identity/common';
import { identityLinkedElsewhere } from '../signin/sign-in.service';

export const RedirectErrors = {
  redirectNotAllowed: () =>
    new AppError(
      HttpStatus.BAD_REQUEST,
      'redirect_uri_not_allowed',
      'Return URL not allowed',
      'redirect_uri must be exactly one of the client URLs in REDIRECT_ALLOWLIST.',
    ),
  badIntent: () => new AppError(HttpStatus.BAD_REQUEST, 'validation_failed', 'Validation failed', 'intent must be sign_in or link.'),
  linkNotSupported: (provider: string) =>
    new AppError(HttpStatus.BAD_REQUEST, 'link_not_supported', 'Linking not supported', `The method "${provider}" cannot be linked.`),
  invalidState: () =>
    new AppError(
      HttpStatus.BAD_REQUEST,
      'invalid_state',
      'Invalid sign-in state',
      'This sign-in was not started in this browser, was already completed, or took too long. Start again.',
    ),
  invalidExchangeCode: () =>
    new AppError(HttpStatus.UNAUTHORIZED, 'invalid_exchange_code', 'Invalid code', 'The code is unknown, expired or already used.'),
  identityLinkedElsewhere,
  accessDenied: () =>
    new AppError(HttpStatus.UNAUTHORIZED, 'access_denied', 'Sign-in cancelled', 'The sign-in was cancelled or refused at the provider.'),
  noIdentity: () => new AppError(HttpStatus.BAD_GATEWAY, 'provider_error', 'Provider error', 'The provider did not say who signed in.'),
};
