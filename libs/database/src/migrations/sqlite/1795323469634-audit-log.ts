import { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditLog1795323469634 implements MigrationInterface {
  name = 'AuditLog1795323469634';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "audit_logs" ("id" varchar(36) PRIMARY KEY NOT NULL, "user_id" varchar(36), "actor_id" varchar(36), "session_id" varchar(36), "action" varchar(64) NOT NULL, "success" boolean NOT NULL, "error_code" varchar(64), "ip" varchar(45), "user_agent" varchar(512), "method" varchar(10), "endpoint" varchar(255), "metadata" json, "duration_ms" integer, "created_at" datetime(6) NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`CREATE INDEX "idx_audit_logs_created" ON "audit_logs" ("created_at") `);
    await queryRunner.query(`CREATE INDEX "idx_audit_logs_ip_created" ON "audit_logs" ("ip", "created_at") `);
    await queryRunner.query(`CREATE INDEX "idx_audit_logs_action_created" ON "audit_logs" ("action", "created_at") `);
    await queryRunner.query(`CREATE INDEX "idx_audit_logs_actor_created" ON "audit_logs" ("actor_id", "created_at") `);
    await queryRunner.query(`CREATE INDEX "idx_audit_logs_user_created" ON "audit_logs" ("user_id", "created_at") `);
    await queryRunner.query(`DROP INDEX "idx_audit_logs_created"`);
    await queryRunner.query(`DROP INDEX "idx_audit_logs_ip_created"`);
    await queryRunner.query(`DROP INDEX "idx_audit_logs_action_created"`);
    await queryRunner.query(`DROP INDEX "idx_audit_logs_actor_created"`);
    await queryRunner.query(`DROP INDEX "idx_audit_logs_user_created"`);
    await queryRunner.query(`CREATE TABLE "temporary_audit_logs" ("id" varchar(36) PRIMARY KEY NOT NULL, "user_id" varchar(36), "actor_id" varchar(36), "session_id" varchar(36), "action" varchar(64) NOT NULL, "success" boolean NOT NULL, "error_code" varchar(64), "ip" varchar(45), "user_agent" varchar(512), "method" varchar(10), "endpoint" varchar(255), "metadata" json, "duration_ms" integer, "created_at" datetime(6) NOT NULL DEFAULT (datetime('now')), CONSTRAINT "fk_audit_logs_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE SET NULL ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "temporary_audit_logs"("id", "user_id", "actor_id", "session_id", "action", "success", "error_code", "ip", "user_agent", "method", "endpoint", "metadata", "duration_ms", "created_at") SELECT "id", "user_id", "actor_id", "session_id", "action", "success", "error_code", "ip", "user_agent", "method", "endpoint", "metadata", "duration_ms", "created_at" FROM "audit_logs"`);
    await queryRunner.query(`DROP TABLE "audit_logs"`);
    await queryRunner.query(`ALTER TABLE "temporary_audit_logs" RENAME TO "audit_logs"`);
    await queryRunner.query(`CREATE INDEX "idx_audit_logs_created" ON "audit_logs" ("created_at") `);
    await queryRunner.query(`CREATE INDEX "idx_audit_logs_ip_created" ON "audit_logs" ("ip", "created_at") `);
    await queryRunner.query(`CREATE INDEX "idx_audit_logs_action_created" ON "audit_logs" ("action", "created_at") `);
    await queryRunner.query(`CREATE INDEX "idx_audit_logs_actor_created" ON "audit_logs" ("actor_id", "created_at") `);
    await queryRunner.query(`CREATE INDEX "idx_audit_logs_user_created" ON "audit_logs" ("user_id", "created_at") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_audit_logs_user_created"`);
    await queryRunner.query(`DROP INDEX "idx_audit_logs_actor_created"`);
    await queryRunner.query(`DROP INDEX "idx_audit_logs_action_created"`);
    await queryRunner.query(`DROP INDEX "idx_audit_logs_ip_created"`);
    await queryRunner.query(`DROP INDEX "idx_audit_logs_created"`);
    await queryRunner.query(`ALTER TABLE "audit_logs" RENAME TO "temporary_audit_logs"`);
    await queryRunner.query(`CREATE TABLE "audit_logs" ("id" varchar(36) PRIMARY KEY NOT NULL, "user_id" varchar(36), "actor_id" varchar(36), "session_id" varchar(36), "action" varchar(64) NOT NULL, "success" boolean NOT NULL, "error_code" varchar(64), "ip" varchar(45), "user_agent" varchar(512), "method" varchar(10), "endpoint" varchar(255), "metadata" json, "duration_ms" integer, "created_at" datetime(6) NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`INSERT INTO "audit_logs"("id", "user_id", "actor_id", "session_id", "action", "success", "error_code", "ip", "user_agent", "method", "endpoint", "metadata", "duration_ms", "created_at") SELECT "id", "user_id", "actor_id", "session_id", "action", "success", "error_code", "ip", "user_agent", "method", "endpoint", "metadata", "duration_ms", "created_at" FROM "temporary_audit_logs"`);
    await queryRunner.query(`DROP TABLE "temporary_audit_logs"`);
    await queryRunner.query(`CREATE INDEX "idx_audit_logs_user_created" ON "audit_logs" ("user_id", "created_at") `);
    await queryRunner.query(`CREATE INDEX "idx_audit_logs_actor_created" ON "audit_logs" ("actor_id", "created_at") `);
    await queryRunner.query(`CREATE INDEX "idx_audit_logs_action_created" ON "audit_logs" ("action", "created_at") `);
    await queryRunner.query(`CREATE INDEX "idx_audit_logs_ip_created" ON "audit_logs" ("ip", "created_at") `);
    await queryRunner.query(`CREATE INDEX "idx_audit_logs_created" ON "audit_logs" ("created_at") `);
    await queryRunner.query(`DROP INDEX "idx_audit_logs_user_created"`);
    await queryRunner.query(`DROP INDEX "idx_audit_logs_actor_created"`);
    await queryRunner.query(`DROP INDEX "idx_audit_logs_action_created"`);
    await queryRunner.query(`DROP INDEX "idx_audit_logs_ip_created"`);
    await queryRunner.query(`DROP INDEX "idx_audit_logs_created"`);
    await queryRunner.query(`DROP TABLE "audit_logs"`);
  }
}
