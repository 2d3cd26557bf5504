import { CanActivate, ExecutionContext, HttpStatus, Injectable, Type } from '@nestjs/common';
import { AppError } from '@identity/common';
import { ProviderRegistry } from './registry/provider-registry';

/**
 * Refuses requests to the routes of a login method that an admin disabled (or that lost its
 * configuration), as if the method were not there. Reads the switch from the database on each
 * request to a provider route, so it holds on every instance at once.
 */
@Injectable()
export class ProviderSwitchGuard implements CanActivate {
  constructor(private readonly registry: ProviderRegistry) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const provider = this.registry.ownerOf(context.getClass() as Type);
    if (provider && !(await this.registry.isUsable(provider))) {
      throw new AppError(HttpStatus.NOT_FOUND, 'provider_disabled', 'Not found', `The sign-in method "${provider}" is not available.`);
    }
    return true;
  }
}
