/**
 * Schema tooling for both dialects.
 *
 *   ts-node scripts/schema.ts generate <Name>   write a migration per dialect for entity changes
 *   ts-node scripts/schema.ts check             fail if entities and migrations disagree
 *
 * Each run applies the committed migrations to a scratch database (a temporary SQLite file, a
 * new database on TEST_MYSQL_URL) and diffs it against the entities.
 */
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, loadDatabaseConfig, pendingSchemaChanges, runMigrations } from '@identity/database';
import { ENTITIES } from '../apps/identity-api/src/persistence';
import { createScratchDatabase, TestDialect } from '../test/support/scratch-database';

const DIALECTS: TestDialect[] = ['sqlite', 'mysql'];
const MIGRATIONS_DIR = join(__dirname, '..', 'libs', 'database', 'src', 'migrations');

async function diff(dialect: TestDialect) {
  const scratch = await createScratchDatabase(dialect);
  const dataSource = new DataSource(buildDataSourceOptions(loadDatabaseConfig({ DATABASE_URL: scratch.url }), ENTITIES));
  try {
    await dataSource.initialize();
    await runMigrations(dataSource);
    return await pendingSchemaChanges(dataSource);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await scratch.drop();
  }
}

const quote = (sql: string) => '`' + sql.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';

function writeMigration(dialect: TestDialect, name: string, up: string[], down: string[]): string {
  const timestamp = Date.now();
  const className = `${name}${timestamp}`;
  const file = `${timestamp}-${name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}`;
  const body = (queries: string[]) => queries.map((sql) => `    await queryRunner.query(${quote(sql)});`).join('\n');
  writeFileSync(
    join(MIGRATIONS_DIR, dialect, `${file}.ts`),
    `import { MigrationInterface, QueryRunner } from 'typeorm';\n\nexport class ${className} implements MigrationInterface {\n  name = '${className}';\n\n  async up(queryRunner: QueryRunner): Promise<void> {\n${body(up)}\n  }\n\n  async down(queryRunner: QueryRunner): Promise<void> {\n${body(down)}\n  }\n}\n`,
  );
  const indexPath = join(MIGRATIONS_DIR, dialect, 'index.ts');
  const index = readFileSync(indexPath, 'utf8')
    .replace(/^(\/\/.*\n)/, `$1import { ${className} } from './${file}';\n`)
    .replace(
      /= \[(.*)\];/s,
      (_match, list: string) =>
        `= [${[
          ...list
            .split(',')
            .map((item) => item.trim())
            .filter(Boolean),
          className,
        ].join(', ')}];`,
    );
  writeFileSync(indexPath, index);
  return file;
}

async function main() {
  const [command, name] = process.argv.slice(2);
  let drift = false;
  for (const dialect of DIALECTS) {
    const { up, down } = await diff(dialect);
    if (command === 'generate') {
      if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) throw new Error('usage: schema.ts generate <PascalCaseName>');
      if (up.length === 0) console.log(`${dialect}: no changes`);
      else
        console.log(
          `${dialect}: wrote ${writeMigration(
            dialect,
            name,
            up.map((q) => q.query),
            down.reverse().map((q) => q.query),
          )}`,
        );
    } else if (command === 'check') {
      if (up.length) {
        drift = true;
        console.error(`${dialect}: entities and migrations disagree; pending:\n${up.map((q) => `  ${q.query}`).join('\n')}`);
      } else console.log(`${dialect}: schema matches the entities`);
    } else {
      throw new Error('usage: schema.ts generate <Name> | check');
    }
  }
  if (drift) process.exit(1);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
