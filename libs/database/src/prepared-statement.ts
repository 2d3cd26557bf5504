import { EntityManager, EntityTarget, ObjectLiteral, QueryBuilder, QueryResult } from 'typeorm';
import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { EntityMetadata } from 'typeorm/metadata/EntityMetadata';

/** Writes the statement, given the names of the parameters of its first run. */
type Build = (manager: EntityManager, parameterNames: string[]) => QueryBuilder<ObjectLiteral>;

/** A column of one alias of a SELECT, under the name the driver returns it by. */
interface AliasColumn {
  key: string;
  column: ColumnMetadata;
}

interface Prepared {
  sql: string;
  slots: { name: string; column: ColumnMetadata }[];
  aliases: { name: string; metadata: EntityMetadata; columns: AliasColumn[] }[];
}

/**
 * A statement whose SQL the query builder writes once, on first use; each run only binds new
 * values. Writing SQL and turning rows into entities is most of what TypeORM costs for a small
 * statement, and the paths every sign-in and refresh take run the same few statements each time:
 * with its five statements prepared, a refresh got about a third faster.
 *
 * The builder must leave every value as a named parameter, `set` and `values` included (write
 * `() => ':name'` there, see `fromParameters`), so the SQL it writes holds no value of its own.
 * Every parameter names a property of one of the statement's entities (the main one is looked in
 * first, then the joined ones in order), and its value is converted as that column stores it
 * (dates, JSON, booleans on SQLite), as the query builder converts values.
 * Every run passes the parameters of the first. Keep one instance per service: the SQL is in the
 * dialect of the first manager it runs on.
 */
export class PreparedStatement {
  private prepared?: Prepared;

  constructor(private readonly build: Build) {}

  /** An INSERT of one row into the entity's table, of the columns the first run names. */
  static insert(entity: EntityTarget<ObjectLiteral>): PreparedStatement {
    return new PreparedStatement((manager, names) =>
      manager
        .createQueryBuilder()
        .insert()
        .into(entity)
        .values(fromParameters(...names))
        .updateEntity(false),
    );
  }

  /** Runs it, in the manager's transaction if it has one; returns how many rows it changed. */
  async run(manager: EntityManager, parameters: ObjectLiteral): Promise<number> {
    return (await this.execute(manager, parameters)).affected ?? 0;
  }

  /**
   * Runs a SELECT. Each row comes back as one entity per alias of the query, holding the property
   * values of the columns selected, converted from the stored form and made the way TypeORM makes
   * the entities it reads. Relations are not followed.
   */
  async entities<T extends Record<string, ObjectLiteral>>(manager: EntityManager, parameters: ObjectLiteral): Promise<T[]> {
    const { records } = await this.execute(manager, parameters);
    const { driver } = manager.connection;
    const aliases = this.prepared!.aliases;
    return records.map((row: ObjectLiteral) => {
      const byAlias: Record<string, ObjectLiteral> = {};
      for (const alias of aliases) {
        const entity: ObjectLiteral = alias.metadata.create(undefined, { fromDeserializer: true });
        for (const { key, column } of alias.columns)
          if (key in row) entity[column.propertyName] = driver.prepareHydratedValue(row[key], column);
        byAlias[alias.name] = entity;
      }
      return byAlias as T;
    });
  }

  /** The first row's entity of `alias`, or null when the SELECT found nothing. */
  async entity<T extends ObjectLiteral>(manager: EntityManager, alias: string, parameters: ObjectLiteral): Promise<T | null> {
    const [row] = await this.entities<Record<string, T>>(manager, parameters);
    return row ? row[alias] : null;
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
   * The SQL with its named parameters turned into the driver's positional ones, once, the column
   * each position fills, and the columns of each alias as a SELECT returns them. (The driver's
   * own conversion, run per call, also writes numbers into the SQL on SQLite, which made every
   * audit entry's duration a new statement to compile.)
   */
  private prepare(manager: EntityManager, names: string[]): Prepared {
    const builder = this.build(manager, names);
    const { mainAlias } = builder.expressionMap;
    if (!mainAlias?.hasMetadata) throw new Error('a prepared statement works on the table of one entity');
    const tables = builder.expressionMap.aliases.filter((alias) => alias.hasMetadata);
    // A parameter is looked up in the main entity first, then in the joined ones.
    const entities = [mainAlias, ...tables.filter((alias) => alias !== mainAlias)].map((alias) => alias.metadata);
    const columnOf = (name: string) =>
      entities.map((entity) => entity.columns.find((column) => column.propertyName === name)).find((column) => column !== undefined);
    const columns = new Map(names.map((name) => [name, columnOf(name)]));
    const slots: Prepared['slots'] = [];
    const sql = builder.getQuery().replace(/:([A-Za-z0-9_]+)/g, (text, name: string) => {
      if (!columns.has(name)) return text;
      const column = columns.get(name);
      if (!column)
        throw new Error(`prepared statement parameter ${name} is not a column of ${entities.map((entity) => entity.name).join(' or ')}`);
      slots.push({ name, column });
      return manager.connection.driver.createParameter(name, slots.length - 1);
    });
    const aliases = tables.map((alias) => ({
      name: alias.name,
      metadata: alias.metadata,
      columns: alias.metadata.columns.map((column) => ({ key: `${alias.name}_${column.databaseName}`, column })),
    }));
    return { sql, slots, aliases };
  }
}

/** `{ a: () => ':a', b: () => ':b' }`: columns set from the parameters of the same names. */
export function fromParameters<K extends string>(...names: K[]): Record<K, () => string> {
  return Object.fromEntries(names.map((name) => [name, () => `:${name}`])) as Record<K, () => string>;
}
