import { Command, CommandRunner, Help, Option } from 'nest-commander';
import { parseList } from '@identity/common';
import { createLocalAccount, PASSWORD_HELP, PasswordOptions, readPassword } from './account-creation';

interface CreateUserOptions extends PasswordOptions {
  email?: string;
  phone?: string;
  username?: string;
  displayName: string;
  roles?: string[];
  verified?: boolean;
}

@Command({
  name: 'create-user',
  description: 'Create a password account (at least one of --email, --phone, --username); prints {"id": ...}',
})
export class CreateUserCommand extends CommandRunner {
  async run(_params: string[], options: CreateUserOptions): Promise<void> {
    const id = await createLocalAccount({
      email: options.email,
      phone: options.phone,
      username: options.username,
      password: await readPassword(options),
      displayName: options.displayName,
      roles: options.roles,
      verified: options.verified,
    });
    console.log(JSON.stringify({ id }));
  }

  @Option({ flags: '--email <email>', description: 'email address' })
  parseEmail(value: string): string {
    return value;
  }

  @Option({ flags: '--phone <phone>', description: 'phone number in E.164 form, e.g. +4915112345678' })
  parsePhone(value: string): string {
    return value;
  }

  @Option({ flags: '--username <username>', description: 'username or roll number, e.g. cs-042' })
  parseUsername(value: string): string {
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

  @Option({ flags: '--display-name <name>', description: 'name shown to people', required: true })
  parseDisplayName(value: string): string {
    return value;
  }

  @Option({
    flags: '--roles <roles>',
    description: 'comma-separated existing role names, e.g. teacher,admin (every account also gets "user")',
  })
  parseRoles(value: string): string[] {
    return parseList(value);
  }

  @Option({ flags: '--verified', description: 'mark the email and phone as verified' })
  parseVerified(): boolean {
    return true;
  }

  @Help('after')
  passwordHelp(): string {
    return PASSWORD_HELP;
  }
}
