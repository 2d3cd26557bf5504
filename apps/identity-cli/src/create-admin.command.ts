import { Command, CommandRunner, Help, Option } from 'nest-commander';
import { ADMIN_ROLE } from '@identity/rbac';
import { createLocalAccount, PASSWORD_HELP, PasswordOptions, readPassword } from './account-creation';

interface CreateAdminOptions extends PasswordOptions {
  email: string;
  displayName: string;
}

@Command({
  name: 'create-admin',
  description: 'Create a verified password account with the admin role; prints {"id": ...}',
})
export class CreateAdminCommand extends CommandRunner {
  async run(_params: string[], options: CreateAdminOptions): Promise<void> {
    const id = await createLocalAccount({
      email: options.email,
      password: await readPassword(options),
      displayName: options.displayName,
      roles: [ADMIN_ROLE],
      verified: true,
    });
    console.log(JSON.stringify({ id }));
  }

  @Option({ flags: '--email <email>', description: 'email address (also the sign-in identifier)', required: true })
  parseEmail(value: string): string {
    return value;
  }

  @Option({ flags: '--password <password>', description: 'the password (kept in shell history: prefer --password-stdin)' })
  parsePassword(value: string): string {
    return value;
  }

  @Option({ flags: '--password-stdin', description: 'read the password from stdin' })
  parsePasswordStdin(): boolean {
    return true;
  }

  @Option({ flags: '--display-name <name>', description: 'name shown to people', defaultValue: 'Administrator' })
  parseDisplayName(value: string): string {
    return value;
  }

  @Help('after')
  passwordHelp(): string {
    return PASSWORD_HELP;
  }
}
