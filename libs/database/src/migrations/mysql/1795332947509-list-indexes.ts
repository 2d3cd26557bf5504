import { MigrationInterface, QueryRunner } from 'typeorm';

export class ListIndexes1795332947509 implements MigrationInterface {
  name = 'ListIndexes1795332947509';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`idx_audit_logs_created\` ON \`audit_logs\``);
    await queryRunner.query(`DROP INDEX \`idx_audit_logs_action_created\` ON \`audit_logs\``);
    await queryRunner.query(`CREATE INDEX \`idx_users_created\` ON \`users\` (\`created_at\`, \`id\`)`);
    await queryRunner.query(`CREATE INDEX \`idx_audit_logs_created\` ON \`audit_logs\` (\`created_at\`, \`id\`)`);
    await queryRunner.query(`CREATE INDEX \`idx_audit_logs_action_created\` ON \`audit_logs\` (\`action\`, \`created_at\`, \`id\`, \`user_id\`)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`idx_audit_logs_action_created\` ON \`audit_logs\``);
    await queryRunner.query(`DROP INDEX \`idx_audit_logs_created\` ON \`audit_logs\``);
    await queryRunner.query(`DROP INDEX \`idx_users_created\` ON \`users\``);
    await queryRunner.query(`CREATE INDEX \`idx_audit_logs_action_created\` ON \`audit_logs\` (\`action\`, \`created_at\`)`);
    await queryRunner.query(`CREATE INDEX \`idx_audit_logs_created\` ON \`audit_logs\` (\`created_at\`)`);
  }
}
