import { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795320661075 implements MigrationInterface {
  name = 'Init1795320661075';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE \`auth_providers\` (\`id\` varchar(36) NOT NULL, \`name\` varchar(50) NOT NULL, \`display_name\` varchar(100) NOT NULL, \`kind\` varchar(20) NOT NULL, \`description\` text NULL, \`is_active\` tinyint NOT NULL DEFAULT 0, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), UNIQUE INDEX \`uq_auth_providers_name\` (\`name\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`CREATE TABLE \`users\` (\`id\` varchar(36) NOT NULL, \`email\` varchar(320) NULL, \`email_verified_at\` datetime(6) NULL, \`phone\` varchar(20) NULL, \`phone_verified_at\` datetime(6) NULL, \`display_name\` varchar(255) NOT NULL, \`avatar_url\` varchar(2048) NULL, \`country\` varchar(64) NULL, \`locale\` varchar(35) NULL, \`profile\` json NULL, \`is_active\` tinyint NOT NULL DEFAULT 1, \`last_login_at\` datetime(6) NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), UNIQUE INDEX \`uq_users_email\` (\`email\`), UNIQUE INDEX \`uq_users_phone\` (\`phone\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`CREATE TABLE \`user_auth\` (\`id\` varchar(36) NOT NULL, \`user_id\` varchar(36) NOT NULL, \`auth_provider_id\` varchar(36) NOT NULL, \`provider_user_id\` varchar(255) NULL, \`provider_email\` varchar(320) NULL, \`username\` varchar(191) NULL, \`password_hash\` varchar(255) NULL, \`provider_data\` json NULL, \`is_verified\` tinyint NOT NULL DEFAULT 0, \`verified_at\` datetime(6) NULL, \`last_used_at\` datetime(6) NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), UNIQUE INDEX \`uq_user_auth_provider_username\` (\`auth_provider_id\`, \`username\`), UNIQUE INDEX \`uq_user_auth_provider_subject\` (\`auth_provider_id\`, \`provider_user_id\`), UNIQUE INDEX \`uq_user_auth_user_provider\` (\`user_id\`, \`auth_provider_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`CREATE TABLE \`roles\` (\`id\` varchar(36) NOT NULL, \`name\` varchar(64) NOT NULL, \`description\` varchar(255) NULL, \`permissions\` json NOT NULL, \`is_system\` tinyint NOT NULL DEFAULT 0, \`self_assignable\` tinyint NOT NULL DEFAULT 0, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), UNIQUE INDEX \`uq_roles_name\` (\`name\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`CREATE TABLE \`user_roles\` (\`user_id\` varchar(36) NOT NULL, \`role_id\` varchar(36) NOT NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), INDEX \`idx_user_roles_role\` (\`role_id\`), PRIMARY KEY (\`user_id\`, \`role_id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`CREATE TABLE \`sessions\` (\`id\` varchar(36) NOT NULL, \`user_id\` varchar(36) NOT NULL, \`provider\` varchar(50) NOT NULL, \`ip\` varchar(45) NULL, \`user_agent\` varchar(512) NULL, \`device_label\` varchar(100) NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`last_used_at\` datetime(6) NOT NULL, \`expires_at\` datetime(6) NOT NULL, \`revoked_at\` datetime(6) NULL, \`revoke_reason\` varchar(50) NULL, INDEX \`idx_sessions_expires\` (\`expires_at\`), INDEX \`idx_sessions_user\` (\`user_id\`, \`revoked_at\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`CREATE TABLE \`refresh_tokens\` (\`id\` varchar(36) NOT NULL, \`session_id\` varchar(36) NOT NULL, \`token_hash\` varchar(64) NOT NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`expires_at\` datetime(6) NOT NULL, \`rotated_at\` datetime(6) NULL, \`replaced_by\` varchar(36) NULL, INDEX \`idx_refresh_tokens_session\` (\`session_id\`), UNIQUE INDEX \`uq_refresh_tokens_hash\` (\`token_hash\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`ALTER TABLE \`user_auth\` ADD CONSTRAINT \`fk_user_auth_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE \`user_auth\` ADD CONSTRAINT \`fk_user_auth_provider\` FOREIGN KEY (\`auth_provider_id\`) REFERENCES \`auth_providers\`(\`id\`) ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE \`user_roles\` ADD CONSTRAINT \`fk_user_roles_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE \`user_roles\` ADD CONSTRAINT \`fk_user_roles_role\` FOREIGN KEY (\`role_id\`) REFERENCES \`roles\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE \`sessions\` ADD CONSTRAINT \`fk_sessions_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE \`refresh_tokens\` ADD CONSTRAINT \`fk_refresh_tokens_session\` FOREIGN KEY (\`session_id\`) REFERENCES \`sessions\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`refresh_tokens\` DROP FOREIGN KEY \`fk_refresh_tokens_session\``);
    await queryRunner.query(`ALTER TABLE \`sessions\` DROP FOREIGN KEY \`fk_sessions_user\``);
    await queryRunner.query(`ALTER TABLE \`user_roles\` DROP FOREIGN KEY \`fk_user_roles_role\``);
    await queryRunner.query(`ALTER TABLE \`user_roles\` DROP FOREIGN KEY \`fk_user_roles_user\``);
    await queryRunner.query(`ALTER TABLE \`user_auth\` DROP FOREIGN KEY \`fk_user_auth_provider\``);
    await queryRunner.query(`ALTER TABLE \`user_auth\` DROP FOREIGN KEY \`fk_user_auth_user\``);
    await queryRunner.query(`DROP INDEX \`uq_refresh_tokens_hash\` ON \`refresh_tokens\``);
    await queryRunner.query(`DROP INDEX \`idx_refresh_tokens_session\` ON \`refresh_tokens\``);
    await queryRunner.query(`DROP TABLE \`refresh_tokens\``);
    await queryRunner.query(`DROP INDEX \`idx_sessions_user\` ON \`sessions\``);
    await queryRunner.query(`DROP INDEX \`idx_sessions_expires\` ON \`sessions\``);
    await queryRunner.query(`DROP TABLE \`sessions\``);
    await queryRunner.query(`DROP INDEX \`idx_user_roles_role\` ON \`user_roles\``);
    await queryRunner.query(`DROP TABLE \`user_roles\``);
    await queryRunner.query(`DROP INDEX \`uq_roles_name\` ON \`roles\``);
    await queryRunner.query(`DROP TABLE \`roles\``);
    await queryRunner.query(`DROP INDEX \`uq_user_auth_user_provider\` ON \`user_auth\``);
    await queryRunner.query(`DROP INDEX \`uq_user_auth_provider_subject\` ON \`user_auth\``);
    await queryRunner.query(`DROP INDEX \`uq_user_auth_provider_username\` ON \`user_auth\``);
    await queryRunner.query(`DROP TABLE \`user_auth\``);
    await queryRunner.query(`DROP INDEX \`uq_users_phone\` ON \`users\``);
    await queryRunner.query(`DROP INDEX \`uq_users_email\` ON \`users\``);
    await queryRunner.query(`DROP TABLE \`users\``);
    await queryRunner.query(`DROP INDEX \`uq_auth_providers_name\` ON \`auth_providers\``);
    await queryRunner.query(`DROP TABLE \`auth_providers\``);
  }
}
