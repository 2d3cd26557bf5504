import { DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, EntityList, runMigrations } from './data-source.factory';
import { databaseConfig, loadDatabaseConfig } from './database.config';
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
            const dataSource = await new DataSource(options!).initialize();
            if (loadDatabaseConfig().migrationsRun) {
              await runMigrations(dataSource);
              new Logger('Database').log(`schema up to date (${dataSource.options.type})`);
            }
            return dataSource;
          },
        }),
        ConfigModule.forFeature(jobsConfig),
      ],
      providers: [TransactionRunner, ClusterJobs],
      exports: [TransactionRunner, ClusterJobs],
    };
  }
}
