import { MigrationInterface, QueryRunner } from 'typeorm';

export class OtpOutboxRegistrations1795333226515 implements MigrationInterface {
  name = 'OtpOutboxRegistrations1795333226515';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "message_outbox" ("id" varchar(36) PRIMARY KEY NOT NULL, "channel" varchar(8) NOT NULL, "recipient" varchar(320) NOT NULL, "template" varchar(64) NOT NULL, "locale" varchar(16), "payload" json, "status" varchar(16) NOT NULL DEFAULT ('pending'), "attempts" integer NOT NULL DEFAULT (0), "next_attempt_at" datetime(6) NOT NULL, "last_error" varchar(512), "sent_at" datetime(6), "created_at" datetime(6) NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`CREATE INDEX "idx_message_outbox_created" ON "message_outbox" ("created_at") `);
    await queryRunner.query(`CREATE INDEX "idx_message_outbox_due" ON "message_outbox" ("status", "next_attempt_at") `);
    await queryRunner.query(`CREATE TABLE "otp_challenges" ("id" varchar(36) PRIMARY KEY NOT NULL, "purpose" varchar(32) NOT NULL, "channel" varchar(8) NOT NULL, "destination" varchar(320) NOT NULL, "user_id" varchar(36), "code_hash" varchar(64) NOT NULL, "attempts" integer NOT NULL DEFAULT (0), "max_attempts" integer NOT NULL, "expires_at" datetime(6) NOT NULL, "consumed_at" datetime(6), "active_key" varchar(64), "ip" varchar(45), "user_agent" varchar(512), "created_at" datetime(6) NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_otp_challenges_active" ON "otp_challenges" ("active_key") `);
    await queryRunner.query(`CREATE INDEX "idx_otp_challenges_expires" ON "otp_challenges" ("expires_at") `);
    await queryRunner.query(`CREATE INDEX "idx_otp_challenges_ip_created" ON "otp_challenges" ("ip", "created_at") `);
    await queryRunner.query(`CREATE INDEX "idx_otp_challenges_destination_created" ON "otp_challenges" ("destination", "created_at") `);
    await queryRunner.query(`CREATE TABLE "pending_registrations" ("id" varchar(36) PRIMARY KEY NOT NULL, "channel" varchar(8) NOT NULL, "destination" varchar(320) NOT NULL, "registration_data" json NOT NULL, "challenge_id" varchar(36), "expires_at" datetime(6) NOT NULL, "created_at" datetime(6) NOT NULL DEFAULT (datetime('now')), "updated_at" datetime(6) NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_pending_registrations_destination" ON "pending_registrations" ("destination") `);
    await queryRunner.query(`CREATE INDEX "idx_pending_registrations_expires" ON "pending_registrations" ("expires_at") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_pending_registrations_expires"`);
    await queryRunner.query(`DROP INDEX "uq_pending_registrations_destination"`);
    await queryRunner.query(`DROP TABLE "pending_registrations"`);
    await queryRunner.query(`DROP INDEX "idx_otp_challenges_destination_created"`);
    await queryRunner.query(`DROP INDEX "idx_otp_challenges_ip_created"`);
    await queryRunner.query(`DROP INDEX "idx_otp_challenges_expires"`);
    await queryRunner.query(`DROP INDEX "uq_otp_challenges_active"`);
    await queryRunner.query(`DROP TABLE "otp_challenges"`);
    await queryRunner.query(`DROP INDEX "idx_message_outbox_due"`);
    await queryRunner.query(`DROP INDEX "idx_message_outbox_created"`);
    await queryRunner.query(`DROP TABLE "message_outbox"`);
  }
}
