import { CanActivate, ExecutionContext, HttpStatus, Injectable, Type } from '@nestjs/common';
import { AppError } from '@identity/common';
import { LoginMethodRequest } from './registry/login-method';
import { ProviderRegistry } from './registry/provider-registry';

/**
 * Refuses requests to the routes of a login method that an admin disabled (or that lost its
 * configuration, or that AUTH_PROVIDERS leaves out while a sibling keeps the shared route), as if
 * the method were not there. Reads the switch from the database on each request to a provider
 * route, so it holds on every instance at once.
 */
@Injectable()
export class ProviderSwitchGuard implements CanActivate {
  constructor(private readonly registry: ProviderRegistry) {}

  /** Synchronous for the routes of no login method (most requests): no promise to wait for. */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const request = context.switchToHttp().getRequest<LoginMethodRequest>();
    const candidates = this.registry.methodsFor(context.getClass() as Type, request);
    return candidates.length === 0 || this.anyUsable(candidates);
  }

  private async anyUsable(candidates: string[]): Promise<boolean> {
    // With several candidates the request named no single method (a malformed body): it goes on
    // to validation when any of them is usable, so the client learns what is wrong with it.
    for (const id of candidates) if (await this.registry.isUsable(id)) return true;
    throw new AppError(
      HttpStatus.NOT_FOUND,
      'provider_disabled',
      'Not found',
      `The sign-in method "${candidates.join('" or "')}" is not available.`,
    );
  }
}
