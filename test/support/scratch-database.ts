import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';

export type TestDialect = 'sqlite' | 'mysql';

/** The MariaDB/MySQL server the tests use; the database name in it is replaced per scratch DB. */
export const TEST_MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mariadb://root@127.0.0.1:3306/test';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database for one test file or one script run: a temporary SQLite file, or a
 * new database on the MySQL server. Fails loudly when the server cannot be reached.
 */
export async function createScratchDatabase(dialect: TestDialect): Promise<ScratchDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'identity-test-'));
    return { url: `sqlite:${join(dir, 'identity.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const server = new URL(TEST_MYSQL_URL.replace(/^mariadb:/, 'mysql:'));
  const name = `identity_t_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = await connect(server);
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_MYSQL_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const connection = await connect(server);
      try {
        await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await connection.end();
      }
    },
  };
}

async function connect(server: URL) {
  try {
    return await createConnection({ uri: server.toString(), connectTimeout: 5000 });
  } catch (error) {
    throw new Error(
      `MySQL/MariaDB test server unreachable at ${server.host} (${(error as Error).message}). ` +
        'Start it or point TEST_MYSQL_URL at one; the MySQL suite never skips.',
      { cause: error },
    );
  }
}
