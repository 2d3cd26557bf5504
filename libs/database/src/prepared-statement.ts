import { EntityManager, EntityTarget, ObjectLiteral, QueryBuilder, QueryResult } from 'typeorm';
import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * A statement whose SQL the query builder writes once, on first use; each run only binds new
 * values. Writing SQL and turning rows into entities is most of what TypeORM costs for a small
 * statement, and the paths every sign-in and refresh take run the same few statements each time:
 * with its five statements prepared, a refresh got about a third faster.
 *
 * The builder must leave every value as a named parameter, `set` and `values` included (write
 * `() => ':name'` there, see `fromParameters`), so the SQL it writes holds no value of its own.
 * Every parameter names a property of the statement's main entity, and its value is converted
 * as that column stores it (dates, JSON, booleans on SQLite), as the query builder converts values.
 * Keep one instance per service: the SQL is in the dialect of the first manager it runs on.
 */
export class PreparedStatement {
  private prepared?: { sql: string; slots: { name: string; column: ColumnMetadata }[] };

  constructor(private readonly build: (manager: EntityManager) => QueryBuilder<ObjectLiteral>) {}

  /** Runs it, in the manager's transaction if it has one; returns how many rows it changed. */
  async run(manager: EntityManager, parameters: ObjectLiteral): Promise<number> {
    return (await this.execute(manager, parameters)).affected ?? 0;
  }

  /** Runs a SELECT; its rows as the driver returns them, columns named `<alias>_<column>` (see entityFromRow). */
  async rows(manager: EntityManager, parameters: ObjectLiteral): Promise<ObjectLiteral[]> {
    return (await this.execute(manager, parameters)).records;
  }

  private async execute(manager: EntityManager, parameters: ObjectLiteral): Promise<QueryResult> {
    const { sql, slots } = (this.prepared ??= this.prepare(manager, Object.keys(parameters)));
    const { driver } = manager.connection;
    const values = slots.map(({ name, column }) => {
      if (!(name in parameters)) throw new Error(`prepared statement run without its parameter ${name}`);
      return driver.preparePersistentValue(parameters[name], column);
    });
    const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
    try {
      return await runner.query(sql, values, true);
    } finally {
      if (runner !== manager.queryRunner) await runner.release();
    }
  }

  /**
   * The SQL with its named parameters turned into the driver's positional ones, once, and the
   * column each position fills. (The driver's own conversion, run per call, also writes numbers
   * into the SQL on SQLite, which made every audit entry's duration a new statement to compile.)
   */
  private prepare(manager: EntityManager, names: string[]) {
    const builder = this.build(manager);
    const table = builder.expressionMap.mainAlias?.metadata;
    if (!table) throw new Error('a prepared statement works on the table of one entity');
    const columns = new Map(names.map((name) => [name, table.columns.find((column) => column.propertyName === name)]));
    const slots: { name: string; column: ColumnMetadata }[] = [];
    const sql = builder.getQuery().replace(/:([A-Za-z0-9_]+)/g, (text, name: string) => {
      if (!columns.has(name)) return text;
      const column = columns.get(name);
      if (!column) throw new Error(`prepared statement parameter ${name} is not a column of ${table.name}`);
      slots.push({ name, column });
      return manager.connection.driver.createParameter(name, slots.length - 1);
    });
    return { sql, slots };
  }
}

/** `{ a: () => ':a', b: () => ':b' }`: columns set from the parameters of the same names. */
export function fromParameters<K extends string>(...names: K[]): Record<K, () => string> {
  return Object.fromEntries(names.map((name) => [name, () => `:${name}`])) as Record<K, () => string>;
}

/**
 * One alias's columns in a row of a prepared SELECT, as the entity's property values: converted
 * from the stored form as TypeORM converts them (dates, booleans, JSON). A plain object with the
 * entity's shape; relations are not followed.
 */
export function entityFromRow<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  alias: string,
  row: ObjectLiteral,
): T {
  const { driver } = manager.connection;
  const values: ObjectLiteral = {};
  for (const column of manager.connection.getMetadata(entity).columns) {
    const key = `${alias}_${column.databaseName}`;
    if (key in row) values[column.propertyName] = driver.prepareHydratedValue(row[key], column);
  }
  return values as T;
}
