import 'reflect-metadata';
import { existsSync } from 'node:fs';

// Values already in the environment win over the file.
if (existsSync('.env')) process.loadEnvFile('.env');

// Imported after the env file is loaded: module composition reads the environment.
const { CommandFactory } = require('nest-commander') as typeof import('nest-commander');
const { describeError } = require('./cli-errors') as typeof import('./cli-errors');
const { CliModule } = require('./cli.module') as typeof import('./cli.module');

const fail = (error: unknown): void => {
  console.error(describeError(error));
  process.exitCode = 1;
};

// Commands close what they open, but a Nest context that fails half-way through start-up (say,
// no signing key after the database pool opened) cannot be closed and would keep the process
// alive: exit explicitly once the command is over.
CommandFactory.run(CliModule, { logger: false, serviceErrorHandler: fail })
  .catch(fail)
  .finally(() => process.exit());
