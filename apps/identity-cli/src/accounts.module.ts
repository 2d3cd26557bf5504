import { DynamicModule, Module } from '@nestjs/common';
import { serviceModules } from '../../identity-api/src/service-modules';

/**
 * What account commands need: the same modules as the API (so CLI actions are audited too),
 * without HTTP.
 *
 * The login methods are the ones the API mounts, not just `local`: on start-up the provider
 * registry marks every `auth_providers` row it has no module for as inactive, so a CLI that
 * mounted fewer methods would switch the API's other methods off in the database.
 */
@Module({})
export class AccountsModule {
  static register(env: NodeJS.ProcessEnv = process.env): DynamicModule {
    return {
      module: AccountsModule,
      imports: serviceModules(env),
    };
  }
}
