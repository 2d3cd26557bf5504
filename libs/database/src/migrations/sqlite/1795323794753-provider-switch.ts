import { MigrationInterface, QueryRunner } from 'typeorm';

// Hand-written: the generated version rebuilt auth_providers (copy, DROP, rename), and dropping
// a table that user_auth rows reference fails with foreign keys on. A column add needs none of that.
export class ProviderSwitch1795323794753 implements MigrationInterface {
  name = 'ProviderSwitch1795323794753';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "auth_providers" ADD COLUMN "is_enabled" boolean NOT NULL DEFAULT (1)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "auth_providers" DROP COLUMN "is_enabled"`);
  }
}
