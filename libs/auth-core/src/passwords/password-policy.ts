import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { dictionary } from '@zxcvbn-ts/language-common';
import { ValidationError } from '@identity/common';
import { messagingConfig } from '@identity/messaging';
import { authCoreConfig } from '../auth-core.config';

/** What a password must not contain: the account's own names for itself. */
export interface PasswordContext {
  email?: string | null;
  username?: string | null;
  phone?: string | null;
}

/** Shorter parts of a name are too common inside passphrases to refuse. */
const MIN_PART_LENGTH = 4;

/** The maintained list of common passwords of zxcvbn-ts (about 49,000), lower-cased once. */
let commonPasswords: Set<string> | undefined;
const common = () => (commonPasswords ??= new Set(dictionary['passwords-common'].map((word) => word.toLowerCase())));

/**
 * Password rules after NIST 800-63B / ASVS 5: length in code points after NFKC (as the hasher
 * sees the password), a generous maximum, no composition rules, refused when it is a common
 * password or contains the account's email, username, phone number or the service's name.
 */
@Injectable()
export class PasswordPolicy {
  private readonly appName: string;

  constructor(
    @Inject(authCoreConfig.KEY) private readonly config: ConfigType<typeof authCoreConfig>,
    @Inject(messagingConfig.KEY) messaging: ConfigType<typeof messagingConfig>,
  ) {
    this.appName = messaging.appName.toLowerCase();
  }

  problems(password: string, context: PasswordContext = {}): string[] {
    const normalized = password.normalize('NFKC');
    const length = [...normalized].length;
    if (length < this.config.passwordMinLength) return [`must be at least ${this.config.passwordMinLength} characters`];
    if (length > this.config.passwordMaxLength) return [`must be at most ${this.config.passwordMaxLength} characters`];
    const lower = normalized.toLowerCase();
    if (common().has(lower)) return ['is one of the most common passwords; choose a less guessable one'];
    const contained = this.ownNames(context).find((name) => lower.includes(name));
    if (contained) return ['must not contain your email, username, phone number or the name of this service'];
    return [];
  }

  /** Throws a 400 naming the field when the password breaks the policy. */
  assert(password: string, field = 'password', context: PasswordContext = {}): void {
    const problems = this.problems(password, context);
    if (problems.length) throw new ValidationError([{ field, messages: problems.map((problem) => `${field} ${problem}`) }]);
  }

  private ownNames(context: PasswordContext): string[] {
    const email = context.email?.toLowerCase();
    const names = [email, email?.split('@')[0], context.username?.toLowerCase(), context.phone?.replace(/^\+/, ''), this.appName];
    return names.filter((name): name is string => Boolean(name) && name!.length >= MIN_PART_LENGTH);
  }
}
