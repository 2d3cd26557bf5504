import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'identity:isPublic';

/** Opts a route out of the global access-token guard. Everything else requires a bearer token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Who the bearer of a verified access token is, as the guard attaches it to the request. */
export interface Principal {
  userId: string;
  sessionId: string;
  roles: string[];
}

export interface RequestWithPrincipal {
  principal?: Principal;
}

export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<RequestWithPrincipal>().principal;
  if (!principal) throw new Error('CurrentUser used on a route without an authenticated principal');
  return principal;
});
