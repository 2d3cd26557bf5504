import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { ConfigValidationError } from '@identity/common';
import { keepRunningOnUnhandledRejection } from './process-guards';

// Values already in the environment win over the file.
if (existsSync('.env')) process.loadEnvFile('.env');

// Imported after the env file is loaded: module composition reads the environment.
const { start } = require('./bootstrap') as typeof import('./bootstrap');

keepRunningOnUnhandledRejection();
start().catch((error: unknown) => {
  if (error instanceof ConfigValidationError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
