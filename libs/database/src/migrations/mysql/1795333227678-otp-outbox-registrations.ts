import { MigrationInterface, QueryRunner } from 'typeorm';

export class OtpOutboxRegistrations1795333227678 implements MigrationInterface {
  name = 'OtpOutboxRegistrations1795333227678';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE \`message_outbox\` (\`id\` varchar(36) NOT NULL, \`channel\` varchar(8) NOT NULL, \`recipient\` varchar(320) NOT NULL, \`template\` varchar(64) NOT NULL, \`locale\` varchar(16) NULL, \`payload\` json NULL, \`status\` varchar(16) NOT NULL DEFAULT 'pending', \`attempts\` int NOT NULL DEFAULT '0', \`next_attempt_at\` datetime(6) NOT NULL, \`last_error\` varchar(512) NULL, \`sent_at\` datetime(6) NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), INDEX \`idx_message_outbox_created\` (\`created_at\`), INDEX \`idx_message_outbox_due\` (\`status\`, \`next_attempt_at\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`CREATE TABLE \`otp_challenges\` (\`id\` varchar(36) NOT NULL, \`purpose\` varchar(32) NOT NULL, \`channel\` varchar(8) NOT NULL, \`destination\` varchar(320) NOT NULL, \`user_id\` varchar(36) NULL, \`code_hash\` varchar(64) NOT NULL, \`attempts\` int NOT NULL DEFAULT '0', \`max_attempts\` int NOT NULL, \`expires_at\` datetime(6) NOT NULL, \`consumed_at\` datetime(6) NULL, \`active_key\` varchar(64) NULL, \`ip\` varchar(45) NULL, \`user_agent\` varchar(512) NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), UNIQUE INDEX \`uq_otp_challenges_active\` (\`active_key\`), INDEX \`idx_otp_challenges_expires\` (\`expires_at\`), INDEX \`idx_otp_challenges_ip_created\` (\`ip\`, \`created_at\`), INDEX \`idx_otp_challenges_destination_created\` (\`destination\`, \`created_at\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`CREATE TABLE \`pending_registrations\` (\`id\` varchar(36) NOT NULL, \`channel\` varchar(8) NOT NULL, \`destination\` varchar(320) NOT NULL, \`registration_data\` json NOT NULL, \`challenge_id\` varchar(36) NULL, \`expires_at\` datetime(6) NOT NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), UNIQUE INDEX \`uq_pending_registrations_destination\` (\`destination\`), INDEX \`idx_pending_registrations_expires\` (\`expires_at\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`idx_pending_registrations_expires\` ON \`pending_registrations\``);
    await queryRunner.query(`DROP INDEX \`uq_pending_registrations_destination\` ON \`pending_registrations\``);
    await queryRunner.query(`DROP TABLE \`pending_registrations\``);
    await queryRunner.query(`DROP INDEX \`idx_otp_challenges_destination_created\` ON \`otp_challenges\``);
    await queryRunner.query(`DROP INDEX \`idx_otp_challenges_ip_created\` ON \`otp_challenges\``);
    await queryRunner.query(`DROP INDEX \`idx_otp_challenges_expires\` ON \`otp_challenges\``);
    await queryRunner.query(`DROP INDEX \`uq_otp_challenges_active\` ON \`otp_challenges\``);
    await queryRunner.query(`DROP TABLE \`otp_challenges\``);
    await queryRunner.query(`DROP INDEX \`idx_message_outbox_due\` ON \`message_outbox\``);
    await queryRunner.query(`DROP INDEX \`idx_message_outbox_created\` ON \`message_outbox\``);
    await queryRunner.query(`DROP TABLE \`message_outbox\``);
  }
}
