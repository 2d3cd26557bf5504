import { EntityManager, ObjectLiteral, QueryBuilder } from 'typeorm';

/**
 * A statement whose SQL the query builder writes once, on first use; each run only binds new
 * values. Writing the SQL is most of what TypeORM costs for a small statement (a tenth of the
 * CPU of a refresh, which runs four of them), and the paths every sign-in and refresh take run
 * the same few statements each time.
 *
 * The builder must leave every value as a named parameter, `set` and `values` included (write
 * `() => ':name'` there), so the SQL it writes holds no value of its own. Values are bound by the
 * driver exactly as the query builder binds its parameters (dates in the stored format). Keep one
 * instance per service: the SQL is in the dialect of the first manager it runs on.
 */
export class PreparedStatement {
  private sql?: string;

  constructor(private readonly build: (manager: EntityManager) => QueryBuilder<ObjectLiteral>) {}

  /** Runs in the manager's transaction; returns how many rows it changed. */
  async run(manager: EntityManager, parameters: ObjectLiteral): Promise<number> {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) throw new Error('a prepared statement runs inside a transaction (TransactionRunner)');
    this.sql ??= this.build(manager).getQuery();
    const [query, values] = manager.connection.driver.escapeQueryWithParameters(this.sql, parameters);
    const result = await runner.query(query, values, true);
    return result.affected ?? 0;
  }
}

/** `{ a: () => ':a', b: () => ':b' }`: columns set from the parameters of the same names. */
export function fromParameters<K extends string>(...names: K[]): Record<K, () => string> {
  return Object.fromEntries(names.map((name) => [name, () => `:${name}`])) as Record<K, () => string>;
}
