import { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditLog1795323469803 implements MigrationInterface {
  name = 'AuditLog1795323469803';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE \`audit_logs\` (\`id\` varchar(36) NOT NULL, \`user_id\` varchar(36) NULL, \`actor_id\` varchar(36) NULL, \`session_id\` varchar(36) NULL, \`action\` varchar(64) NOT NULL, \`success\` tinyint NOT NULL, \`error_code\` varchar(64) NULL, \`ip\` varchar(45) NULL, \`user_agent\` varchar(512) NULL, \`method\` varchar(10) NULL, \`endpoint\` varchar(255) NULL, \`metadata\` json NULL, \`duration_ms\` int NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), INDEX \`idx_audit_logs_created\` (\`created_at\`), INDEX \`idx_audit_logs_ip_created\` (\`ip\`, \`created_at\`), INDEX \`idx_audit_logs_action_created\` (\`action\`, \`created_at\`), INDEX \`idx_audit_logs_actor_created\` (\`actor_id\`, \`created_at\`), INDEX \`idx_audit_logs_user_created\` (\`user_id\`, \`created_at\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`ALTER TABLE \`audit_logs\` ADD CONSTRAINT \`fk_audit_logs_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE SET NULL ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`audit_logs\` DROP FOREIGN KEY \`fk_audit_logs_user\``);
    await queryRunner.query(`DROP INDEX \`idx_audit_logs_user_created\` ON \`audit_logs\``);
    await queryRunner.query(`DROP INDEX \`idx_audit_logs_actor_created\` ON \`audit_logs\``);
    await queryRunner.query(`DROP INDEX \`idx_audit_logs_action_created\` ON \`audit_logs\``);
    await queryRunner.query(`DROP INDEX \`idx_audit_logs_ip_created\` ON \`audit_logs\``);
    await queryRunner.query(`DROP INDEX \`idx_audit_logs_created\` ON \`audit_logs\``);
    await queryRunner.query(`DROP TABLE \`audit_logs\``);
  }
}
