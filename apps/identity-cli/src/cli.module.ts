import { Injectable, Module } from '@nestjs/common';
import { InjectCommander } from 'nest-commander';
import { CleanupCommand } from './cleanup.command';
import { CreateAdminCommand } from './create-admin.command';
import { CreateUserCommand } from './create-user.command';
import { MigrateCommand } from './migrate.command';
import { OutboxRetryCommand } from './outbox-retry.command';
import { RotateKeysCommand } from './rotate-keys.command';
import { UsersImportCommand } from './users-import.command';

/** Usage lines would otherwise name the entry file ("main"). */
@Injectable()
class ProgramName {
  constructor(@InjectCommander() program: { name(name: string): unknown }) {
    program.name('identity-cli');
  }
}

/**
 * The commands only. Each one opens what it needs itself (a DataSource, an accounts context, a
 * key directory), so `--help` or `rotate-keys` never touch the database.
 */
@Module({
  providers: [
    ProgramName,
    MigrateCommand,
    CreateUserCommand,
    CreateAdminCommand,
    RotateKeysCommand,
    CleanupCommand,
    OutboxRetryCommand,
    UsersImportCommand,
  ],
})
export class CliModule {}
