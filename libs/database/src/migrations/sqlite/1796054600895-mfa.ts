import { MigrationInterface, QueryRunner } from 'typeorm';

export class Mfa1796054600895 implements MigrationInterface {
  name = 'Mfa1796054600895';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "user_mfa" ("user_id" varchar(36) PRIMARY KEY NOT NULL, "totp_secret" varchar(255) NOT NULL, "confirmed_at" datetime(6), "last_used_step" integer, "recovery_codes" json, "version" integer NOT NULL DEFAULT (0), "created_at" datetime(6) NOT NULL DEFAULT (datetime('now')), "updated_at" datetime(6) NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`CREATE TABLE "mfa_challenges" ("id" varchar(36) PRIMARY KEY NOT NULL, "user_id" varchar(36) NOT NULL, "token_hash" varchar(64) NOT NULL, "provider" varchar(50) NOT NULL, "attempts" integer NOT NULL DEFAULT (0), "max_attempts" integer NOT NULL, "expires_at" datetime(6) NOT NULL, "consumed_at" datetime(6), "ip" varchar(45), "created_at" datetime(6) NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`CREATE INDEX "idx_mfa_challenges_user" ON "mfa_challenges" ("user_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_mfa_challenges_token" ON "mfa_challenges" ("token_hash") `);
    await queryRunner.query(`CREATE INDEX "idx_mfa_challenges_expires" ON "mfa_challenges" ("expires_at") `);
    await queryRunner.query(`DROP INDEX "idx_sessions_user"`);
    await queryRunner.query(`DROP INDEX "idx_sessions_expires"`);
    await queryRunner.query(`CREATE TABLE "temporary_sessions" ("id" varchar(36) PRIMARY KEY NOT NULL, "user_id" varchar(36) NOT NULL, "provider" varchar(50) NOT NULL, "ip" varchar(45), "user_agent" varchar(512), "device_label" varchar(100), "created_at" datetime(6) NOT NULL DEFAULT (datetime('now')), "last_used_at" datetime(6) NOT NULL, "expires_at" datetime(6) NOT NULL, "revoked_at" datetime(6), "revoke_reason" varchar(50), "auth_time" datetime(6), "amr" varchar(100), CONSTRAINT "fk_sessions_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "temporary_sessions"("id", "user_id", "provider", "ip", "user_agent", "device_label", "created_at", "last_used_at", "expires_at", "revoked_at", "revoke_reason") SELECT "id", "user_id", "provider", "ip", "user_agent", "device_label", "created_at", "last_used_at", "expires_at", "revoked_at", "revoke_reason" FROM "sessions"`);
    await queryRunner.query(`DROP TABLE "sessions"`);
    await queryRunner.query(`ALTER TABLE "temporary_sessions" RENAME TO "sessions"`);
    await queryRunner.query(`CREATE INDEX "idx_sessions_user" ON "sessions" ("user_id", "revoked_at") `);
    await queryRunner.query(`CREATE INDEX "idx_sessions_expires" ON "sessions" ("expires_at") `);
    await queryRunner.query(`CREATE TABLE "temporary_user_mfa" ("user_id" varchar(36) PRIMARY KEY NOT NULL, "totp_secret" varchar(255) NOT NULL, "confirmed_at" datetime(6), "last_used_step" integer, "recovery_codes" json, "version" integer NOT NULL DEFAULT (0), "created_at" datetime(6) NOT NULL DEFAULT (datetime('now')), "updated_at" datetime(6) NOT NULL DEFAULT (datetime('now')), CONSTRAINT "fk_user_mfa_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "temporary_user_mfa"("user_id", "totp_secret", "confirmed_at", "last_used_step", "recovery_codes", "version", "created_at", "updated_at") SELECT "user_id", "totp_secret", "confirmed_at", "last_used_step", "recovery_codes", "version", "created_at", "updated_at" FROM "user_mfa"`);
    await queryRunner.query(`DROP TABLE "user_mfa"`);
    await queryRunner.query(`ALTER TABLE "temporary_user_mfa" RENAME TO "user_mfa"`);
    await queryRunner.query(`DROP INDEX "idx_mfa_challenges_user"`);
    await queryRunner.query(`DROP INDEX "uq_mfa_challenges_token"`);
    await queryRunner.query(`DROP INDEX "idx_mfa_challenges_expires"`);
    await queryRunner.query(`CREATE TABLE "temporary_mfa_challenges" ("id" varchar(36) PRIMARY KEY NOT NULL, "user_id" varchar(36) NOT NULL, "token_hash" varchar(64) NOT NULL, "provider" varchar(50) NOT NULL, "attempts" integer NOT NULL DEFAULT (0), "max_attempts" integer NOT NULL, "expires_at" datetime(6) NOT NULL, "consumed_at" datetime(6), "ip" varchar(45), "created_at" datetime(6) NOT NULL DEFAULT (datetime('now')), CONSTRAINT "fk_mfa_challenges_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "temporary_mfa_challenges"("id", "user_id", "token_hash", "provider", "attempts", "max_attempts", "expires_at", "consumed_at", "ip", "created_at") SELECT "id", "user_id", "token_hash", "provider", "attempts", "max_attempts", "expires_at", "consumed_at", "ip", "created_at" FROM "mfa_challenges"`);
    await queryRunner.query(`DROP TABLE "mfa_challenges"`);
    await queryRunner.query(`ALTER TABLE "temporary_mfa_challenges" RENAME TO "mfa_challenges"`);
    await queryRunner.query(`CREATE INDEX "idx_mfa_challenges_user" ON "mfa_challenges" ("user_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_mfa_challenges_token" ON "mfa_challenges" ("token_hash") `);
    await queryRunner.query(`CREATE INDEX "idx_mfa_challenges_expires" ON "mfa_challenges" ("expires_at") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_mfa_challenges_expires"`);
    await queryRunner.query(`DROP INDEX "uq_mfa_challenges_token"`);
    await queryRunner.query(`DROP INDEX "idx_mfa_challenges_user"`);
    await queryRunner.query(`ALTER TABLE "mfa_challenges" RENAME TO "temporary_mfa_challenges"`);
    await queryRunner.query(`CREATE TABLE "mfa_challenges" ("id" varchar(36) PRIMARY KEY NOT NULL, "user_id" varchar(36) NOT NULL, "token_hash" varchar(64) NOT NULL, "provider" varchar(50) NOT NULL, "attempts" integer NOT NULL DEFAULT (0), "max_attempts" integer NOT NULL, "expires_at" datetime(6) NOT NULL, "consumed_at" datetime(6), "ip" varchar(45), "created_at" datetime(6) NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`INSERT INTO "mfa_challenges"("id", "user_id", "token_hash", "provider", "attempts", "max_attempts", "expires_at", "consumed_at", "ip", "created_at") SELECT "id", "user_id", "token_hash", "provider", "attempts", "max_attempts", "expires_at", "consumed_at", "ip", "created_at" FROM "temporary_mfa_challenges"`);
    await queryRunner.query(`DROP TABLE "temporary_mfa_challenges"`);
    await queryRunner.query(`CREATE INDEX "idx_mfa_challenges_expires" ON "mfa_challenges" ("expires_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_mfa_challenges_token" ON "mfa_challenges" ("token_hash") `);
    await queryRunner.query(`CREATE INDEX "idx_mfa_challenges_user" ON "mfa_challenges" ("user_id") `);
    await queryRunner.query(`ALTER TABLE "user_mfa" RENAME TO "temporary_user_mfa"`);
    await queryRunner.query(`CREATE TABLE "user_mfa" ("user_id" varchar(36) PRIMARY KEY NOT NULL, "totp_secret" varchar(255) NOT NULL, "confirmed_at" datetime(6), "last_used_step" integer, "recovery_codes" json, "version" integer NOT NULL DEFAULT (0), "created_at" datetime(6) NOT NULL DEFAULT (datetime('now')), "updated_at" datetime(6) NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`INSERT INTO "user_mfa"("user_id", "totp_secret", "confirmed_at", "last_used_step", "recovery_codes", "version", "created_at", "updated_at") SELECT "user_id", "totp_secret", "confirmed_at", "last_used_step", "recovery_codes", "version", "created_at", "updated_at" FROM "temporary_user_mfa"`);
    await queryRunner.query(`DROP TABLE "temporary_user_mfa"`);
    await queryRunner.query(`DROP INDEX "idx_sessions_expires"`);
    await queryRunner.query(`DROP INDEX "idx_sessions_user"`);
    await queryRunner.query(`ALTER TABLE "sessions" RENAME TO "temporary_sessions"`);
    await queryRunner.query(`CREATE TABLE "sessions" ("id" varchar(36) PRIMARY KEY NOT NULL, "user_id" varchar(36) NOT NULL, "provider" varchar(50) NOT NULL, "ip" varchar(45), "user_agent" varchar(512), "device_label" varchar(100), "created_at" datetime(6) NOT NULL DEFAULT (datetime('now')), "last_used_at" datetime(6) NOT NULL, "expires_at" datetime(6) NOT NULL, "revoked_at" datetime(6), "revoke_reason" varchar(50), CONSTRAINT "fk_sessions_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "sessions"("id", "user_id", "provider", "ip", "user_agent", "device_label", "created_at", "last_used_at", "expires_at", "revoked_at", "revoke_reason") SELECT "id", "user_id", "provider", "ip", "user_agent", "device_label", "created_at", "last_used_at", "expires_at", "revoked_at", "revoke_reason" FROM "temporary_sessions"`);
    await queryRunner.query(`DROP TABLE "temporary_sessions"`);
    await queryRunner.query(`CREATE INDEX "idx_sessions_expires" ON "sessions" ("expires_at") `);
    await queryRunner.query(`CREATE INDEX "idx_sessions_user" ON "sessions" ("user_id", "revoked_at") `);
    await queryRunner.query(`DROP INDEX "idx_mfa_challenges_expires"`);
    await queryRunner.query(`DROP INDEX "uq_mfa_challenges_token"`);
    await queryRunner.query(`DROP INDEX "idx_mfa_challenges_user"`);
    await queryRunner.query(`DROP TABLE "mfa_challenges"`);
    await queryRunner.query(`DROP TABLE "user_mfa"`);
  }
}
