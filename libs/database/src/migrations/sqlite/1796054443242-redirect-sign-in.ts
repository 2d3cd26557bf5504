import { MigrationInterface, QueryRunner } from 'typeorm';

export class RedirectSignIn1796054443242 implements MigrationInterface {
  name = 'RedirectSignIn1796054443242';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "redirect_flows" ("id" varchar(36) PRIMARY KEY NOT NULL, "provider" varchar(50) NOT NULL, "state_hash" varchar(64) NOT NULL, "browser_hash" varchar(64) NOT NULL, "nonce" varchar(64) NOT NULL, "redirect_uri" varchar(2000) NOT NULL, "link_user_id" varchar(36), "expires_at" datetime(6) NOT NULL, "consumed_at" datetime(6), "created_at" datetime(6) NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_redirect_flows_state" ON "redirect_flows" ("state_hash") `);
    await queryRunner.query(`CREATE INDEX "idx_redirect_flows_expires" ON "redirect_flows" ("expires_at") `);
    await queryRunner.query(`CREATE TABLE "exchange_codes" ("id" varchar(36) PRIMARY KEY NOT NULL, "code_hash" varchar(64) NOT NULL, "user_id" varchar(36) NOT NULL, "provider" varchar(50) NOT NULL, "account_created" boolean NOT NULL DEFAULT (0), "expires_at" datetime(6) NOT NULL, "consumed_at" datetime(6), "created_at" datetime(6) NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_exchange_codes_code" ON "exchange_codes" ("code_hash") `);
    await queryRunner.query(`CREATE INDEX "idx_exchange_codes_expires" ON "exchange_codes" ("expires_at") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_exchange_codes_expires"`);
    await queryRunner.query(`DROP INDEX "uq_exchange_codes_code"`);
    await queryRunner.query(`DROP TABLE "exchange_codes"`);
    await queryRunner.query(`DROP INDEX "idx_redirect_flows_expires"`);
    await queryRunner.query(`DROP INDEX "uq_redirect_flows_state"`);
    await queryRunner.query(`DROP TABLE "redirect_flows"`);
  }
}
