import { DataSource } from 'typeorm';
import { Query } from 'typeorm/driver/Query';

/**
 * The statements TypeORM would run to make the database match the entities. After all
 * migrations have run this must be empty: otherwise entities and migrations disagree.
 */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<{ up: Query[]; down: Query[] }> {
  const log = await dataSource.driver.createSchemaBuilder().log();
  return { up: log.upQueries, down: log.downQueries };
}
