import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, loadDatabaseConfig } from '@identity/database';
import { ENTITIES } from './apps/identity-api/src/persistence';

/** The DataSource the TypeORM CLI uses (DATABASE_URL picks the dialect and its migrations). */
export default new DataSource(buildDataSourceOptions(loadDatabaseConfig(), ENTITIES));
