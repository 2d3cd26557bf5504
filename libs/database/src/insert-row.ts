import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

/**
 * Inserts one row exactly as given. `manager.insert` follows every INSERT with a SELECT of the
 * columns the database fills in (`created_at` and the like) to update the object it was given —
 * a second statement on the paths that run on every sign-in, refresh and security event. Use this
 * where the caller sets the columns it needs itself or has no use for the generated ones.
 */
export async function insertRow<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  row: QueryDeepPartialEntity<T>,
): Promise<void> {
  await manager.createQueryBuilder().insert().into(entity).values(row).updateEntity(false).execute();
}
