import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the admin user search, a prefix match per field. With the case-insensitive
 * collation, the unique indexes of email and phone already serve it.
 */
export class SearchIndexes1796140800000 implements MigrationInterface {
  name = 'SearchIndexes1796140800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX \`idx_users_display_name\` ON \`users\` (\`display_name\`)`);
    await queryRunner.query(`CREATE INDEX \`idx_user_auth_username\` ON \`user_auth\` (\`username\`)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`idx_user_auth_username\` ON \`user_auth\``);
    await queryRunner.query(`DROP INDEX \`idx_users_display_name\` ON \`users\``);
  }
}
