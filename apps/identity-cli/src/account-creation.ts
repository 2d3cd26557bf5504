import { NestFactory } from '@nestjs/core';
import { isEmail } from 'class-validator';
import { FieldError, ValidationError } from '@identity/common';
import { isProviderEnabled } from '@identity/auth-core';
import { LOCAL_PROVIDER_ID, LocalAccountsService, NewLocalUser } from '@identity/auth-providers/local';
import { RbacService } from '@identity/rbac';
import { AccountsModule } from './accounts.module';
import { CliError } from './cli-errors';
import { StderrLogger } from './stderr-logger';

export interface PasswordOptions {
  password?: string;
  passwordStdin?: boolean;
}

export const PASSWORD_HELP = `
Password: pipe it in with --password-stdin (one trailing newline is removed), or set CLI_PASSWORD,
so it stays out of shell history; --password also works but is recorded there. A flag wins over
CLI_PASSWORD.`;

/** The password from stdin, a flag or CLI_PASSWORD, in that order. */
export async function readPassword(options: PasswordOptions): Promise<string> {
  if (options.passwordStdin && options.password !== undefined) throw new CliError('use either --password or --password-stdin, not both');
  if (options.passwordStdin) {
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    return text.replace(/\r?\n$/, '');
  }
  const password = options.password ?? process.env.CLI_PASSWORD;
  if (password === undefined) throw new CliError('a password is required: --password-stdin, CLI_PASSWORD or --password');
  return password;
}

const CONTROL_CHARS = /\p{Cc}/u;

/**
 * Shape checks an HTTP DTO would make before the service is called: the service normalizes and
 * validates phone, username and password itself but trusts callers on these two.
 */
export function shapeProblems(input: Pick<NewLocalUser, 'email' | 'displayName'>): FieldError[] {
  const problems: FieldError[] = [];
  if (input.email !== undefined && !(isEmail(input.email) && input.email.length <= 320)) {
    problems.push({ field: 'email', messages: ['email must be an email address'] });
  }
  const displayName = input.displayName.trim();
  if (!displayName || displayName.length > 255 || CONTROL_CHARS.test(displayName)) {
    problems.push({ field: 'displayName', messages: ['display name must be 1-255 characters without control characters'] });
  }
  return problems;
}

/**
 * Creates a password account through LocalAccountsService, so validation, hashing, roles and
 * the transaction are exactly the service's. Returns the new user's id.
 */
export async function createLocalAccount(input: NewLocalUser): Promise<string> {
  const problems = shapeProblems(input);
  if (problems.length) throw new ValidationError(problems);
  if (!isProviderEnabled(LOCAL_PROVIDER_ID)) {
    throw new CliError('password sign-in is disabled (AUTH_PROVIDERS does not list local): the account could not sign in');
  }
  // Start-up runs the provider registry's onModuleInit, which writes the `local` auth_providers
  // row the new credential refers to.
  const app = await NestFactory.createApplicationContext(AccountsModule.register(), { logger: new StderrLogger(), abortOnError: false });
  try {
    // Also done by RbacService's bootstrap hook; called here so creating never depends on
    // the order in which modules' hooks run.
    await app.get(RbacService).ensureSystemRoles();
    const user = await app.get(LocalAccountsService).create(input);
    return user.id;
  } finally {
    await app.close();
  }
}
