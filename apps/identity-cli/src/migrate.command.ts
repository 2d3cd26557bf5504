import { Command, CommandRunner, Option } from 'nest-commander';
import { DataSource, MigrationExecutor } from 'typeorm';
import { buildDataSourceOptions, loadDatabaseConfig, runMigrations } from '@identity/database';
import { ENTITIES } from '../../identity-api/src/persistence';
import { CliError } from './cli-errors';

interface MigrateOptions {
  check?: boolean;
}

@Command({
  name: 'migrate',
  description: 'Run pending schema migrations on DATABASE_URL and list what ran (--check: only report, exit 1 if any are pending)',
})
export class MigrateCommand extends CommandRunner {
  async run(_params: string[], options: MigrateOptions): Promise<void> {
    const dataSource = await new DataSource(buildDataSourceOptions(loadDatabaseConfig(), ENTITIES)).initialize();
    try {
      if (options.check) {
        // Reads the migrations table without creating it, so --check changes nothing.
        const pending = (await new MigrationExecutor(dataSource).getPendingMigrations()).map((migration) => migration.name);
        if (pending.length) throw new CliError(`${pending.length} pending migration(s):\n${pending.map((name) => `  ${name}`).join('\n')}`);
        console.log(`schema up to date (${dataSource.options.type})`);
        return;
      }
      const applied = await runMigrations(dataSource);
      if (applied.length) console.log(`applied ${applied.length} migration(s):\n${applied.map((name) => `  ${name}`).join('\n')}`);
      else console.log(`no pending migrations; schema up to date (${dataSource.options.type})`);
    } finally {
      await dataSource.destroy();
    }
  }

  @Option({ flags: '--check', description: 'apply nothing; exit 1 when migrations are pending' })
  parseCheck(): boolean {
    return true;
  }
}
