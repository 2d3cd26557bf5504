import { MigrationInterface, QueryRunner } from 'typeorm';

export class RedirectSignIn1796054443390 implements MigrationInterface {
  name = 'RedirectSignIn1796054443390';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE \`redirect_flows\` (\`id\` varchar(36) NOT NULL, \`provider\` varchar(50) NOT NULL, \`state_hash\` varchar(64) NOT NULL, \`browser_hash\` varchar(64) NOT NULL, \`nonce\` varchar(64) NOT NULL, \`redirect_uri\` varchar(2000) NOT NULL, \`link_user_id\` varchar(36) NULL, \`expires_at\` datetime(6) NOT NULL, \`consumed_at\` datetime(6) NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), UNIQUE INDEX \`uq_redirect_flows_state\` (\`state_hash\`), INDEX \`idx_redirect_flows_expires\` (\`expires_at\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`CREATE TABLE \`exchange_codes\` (\`id\` varchar(36) NOT NULL, \`code_hash\` varchar(64) NOT NULL, \`user_id\` varchar(36) NOT NULL, \`provider\` varchar(50) NOT NULL, \`account_created\` tinyint NOT NULL DEFAULT 0, \`expires_at\` datetime(6) NOT NULL, \`consumed_at\` datetime(6) NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), UNIQUE INDEX \`uq_exchange_codes_code\` (\`code_hash\`), INDEX \`idx_exchange_codes_expires\` (\`expires_at\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`idx_exchange_codes_expires\` ON \`exchange_codes\``);
    await queryRunner.query(`DROP INDEX \`uq_exchange_codes_code\` ON \`exchange_codes\``);
    await queryRunner.query(`DROP TABLE \`exchange_codes\``);
    await queryRunner.query(`DROP INDEX \`idx_redirect_flows_expires\` ON \`redirect_flows\``);
    await queryRunner.query(`DROP INDEX \`uq_redirect_flows_state\` ON \`redirect_flows\``);
    await queryRunner.query(`DROP TABLE \`redirect_flows\``);
  }
}
