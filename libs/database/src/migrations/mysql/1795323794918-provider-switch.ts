import { MigrationInterface, QueryRunner } from 'typeorm';

export class ProviderSwitch1795323794918 implements MigrationInterface {
  name = 'ProviderSwitch1795323794918';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`auth_providers\` ADD \`is_enabled\` tinyint NOT NULL DEFAULT 1`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`auth_providers\` DROP COLUMN \`is_enabled\``);
  }
}
