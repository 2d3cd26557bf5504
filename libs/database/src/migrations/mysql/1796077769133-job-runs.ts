import { MigrationInterface, QueryRunner } from 'typeorm';

export class JobRuns1796077769133 implements MigrationInterface {
  name = 'JobRuns1796077769133';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE \`job_runs\` (\`name\` varchar(100) NOT NULL, \`last_tick\` bigint NOT NULL, \`holder\` varchar(255) NOT NULL, \`runs\` int NOT NULL DEFAULT '0', \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), PRIMARY KEY (\`name\`)) ENGINE=InnoDB`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE \`job_runs\``);
  }
}
