import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the admin user search, a prefix match per field. SQLite turns `LIKE 'abc%'` into
 * a range only on an index with NOCASE collation (LIKE itself ignores ASCII case).
 */
export class SearchIndexes1796140800000 implements MigrationInterface {
  name = 'SearchIndexes1796140800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "idx_users_email_nocase" ON "users" ("email" COLLATE NOCASE)`);
    await queryRunner.query(`CREATE INDEX "idx_users_phone_nocase" ON "users" ("phone" COLLATE NOCASE)`);
    await queryRunner.query(`CREATE INDEX "idx_users_display_name" ON "users" ("display_name" COLLATE NOCASE)`);
    await queryRunner.query(`CREATE INDEX "idx_user_auth_username" ON "user_auth" ("username" COLLATE NOCASE)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_user_auth_username"`);
    await queryRunner.query(`DROP INDEX "idx_users_display_name"`);
    await queryRunner.query(`DROP INDEX "idx_users_phone_nocase"`);
    await queryRunner.query(`DROP INDEX "idx_users_email_nocase"`);
  }
}
