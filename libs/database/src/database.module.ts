import { DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { buildDataSourceOptions, EntityList, runMigrations } from './data-source.factory';
import { boundConnectionWait, servingLimits } from './pool-limits';
import { DatabaseConfig, databaseConfig, loadDatabaseConfig } from './database.config';
import { ClusterJobs } from './cluster-jobs.service';
import { jobsConfig } from './jobs.config';
import { TransactionRunner } from './transaction.runner';

@Global()
@Module({})
export class DatabaseModule {
  /** The application passes every entity it is made of; libraries register theirs with forFeature. */
  static forRoot(entities: EntityList): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          imports: [ConfigModule.forFeature(databaseConfig)],
          inject: [databaseConfig.KEY],
          useFactory: (config: ConfigType<typeof databaseConfig>) => ({
            ...buildDataSourceOptions(config, entities),
            retryAttempts: 1,
            manualInitialization: false,
          }),
          dataSourceFactory: async (options) => {
            const config = loadDatabaseConfig();
            const serving = new DataSource({ ...options!, ...servingLimits(config) } as DataSourceOptions);
            if (!config.migrationsRun) return serve(serving, config);
            // SQLite has no statement timeout, and a `:memory:` database lives in one connection only.
            if (config.dialect === 'sqlite') return migrate(await serving.initialize());
            const migrator = await new DataSource(options!).initialize();
            await migrate(migrator).finally(() => migrator.destroy());
            return serve(serving, config);
          },
        }),
        ConfigModule.forFeature(jobsConfig),
      ],
      providers: [TransactionRunner, ClusterJobs],
      exports: [TransactionRunner, ClusterJobs],
    };
  }
}

/**
 * On MySQL migrations run on a data source of their own, closed before serving starts, because
 * their lock wait and DDL may rightly outlast the request pool's statement timeout.
 */
async function migrate(dataSource: DataSource): Promise<DataSource> {
  await runMigrations(dataSource);
  new Logger('Database').log(`schema up to date (${dataSource.options.type})`);
  return dataSource;
}

async function serve(dataSource: DataSource, config: DatabaseConfig): Promise<DataSource> {
  await dataSource.initialize();
  if (config.dialect === 'mysql') boundConnectionWait(dataSource, config.acquireTimeoutMs ?? 0);
  return dataSource;
}
