import { MigrationInterface, QueryRunner } from 'typeorm';

export class JobRuns1796077768779 implements MigrationInterface {
  name = 'JobRuns1796077768779';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "job_runs" ("name" varchar(100) PRIMARY KEY NOT NULL, "last_tick" bigint NOT NULL, "holder" varchar(255) NOT NULL, "runs" integer NOT NULL DEFAULT (0), "updated_at" datetime(6) NOT NULL DEFAULT (datetime('now')))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "job_runs"`);
  }
}
