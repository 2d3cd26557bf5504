import { MigrationInterface, QueryRunner } from 'typeorm';

export class Mfa1796054601873 implements MigrationInterface {
  name = 'Mfa1796054601873';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE \`user_mfa\` (\`user_id\` varchar(36) NOT NULL, \`totp_secret\` varchar(255) NOT NULL, \`confirmed_at\` datetime(6) NULL, \`last_used_step\` int NULL, \`recovery_codes\` json NULL, \`version\` int NOT NULL DEFAULT '0', \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), PRIMARY KEY (\`user_id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`CREATE TABLE \`mfa_challenges\` (\`id\` varchar(36) NOT NULL, \`user_id\` varchar(36) NOT NULL, \`token_hash\` varchar(64) NOT NULL, \`provider\` varchar(50) NOT NULL, \`attempts\` int NOT NULL DEFAULT '0', \`max_attempts\` int NOT NULL, \`expires_at\` datetime(6) NOT NULL, \`consumed_at\` datetime(6) NULL, \`ip\` varchar(45) NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), INDEX \`idx_mfa_challenges_user\` (\`user_id\`), UNIQUE INDEX \`uq_mfa_challenges_token\` (\`token_hash\`), INDEX \`idx_mfa_challenges_expires\` (\`expires_at\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`ALTER TABLE \`sessions\` ADD \`auth_time\` datetime(6) NULL`);
    await queryRunner.query(`ALTER TABLE \`sessions\` ADD \`amr\` varchar(100) NULL`);
    await queryRunner.query(`ALTER TABLE \`user_mfa\` ADD CONSTRAINT \`fk_user_mfa_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE \`mfa_challenges\` ADD CONSTRAINT \`fk_mfa_challenges_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`mfa_challenges\` DROP FOREIGN KEY \`fk_mfa_challenges_user\``);
    await queryRunner.query(`ALTER TABLE \`user_mfa\` DROP FOREIGN KEY \`fk_user_mfa_user\``);
    await queryRunner.query(`ALTER TABLE \`sessions\` DROP COLUMN \`amr\``);
    await queryRunner.query(`ALTER TABLE \`sessions\` DROP COLUMN \`auth_time\``);
    await queryRunner.query(`DROP INDEX \`idx_mfa_challenges_expires\` ON \`mfa_challenges\``);
    await queryRunner.query(`DROP INDEX \`uq_mfa_challenges_token\` ON \`mfa_challenges\``);
    await queryRunner.query(`DROP INDEX \`idx_mfa_challenges_user\` ON \`mfa_challenges\``);
    await queryRunner.query(`DROP TABLE \`mfa_challenges\``);
    await queryRunner.query(`DROP TABLE \`user_mfa\``);
  }
}
