import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ValidationError } from '@identity/common';
import { authCoreConfig } from '../auth-core.config';

/**
 * Length-based password rules (NIST 800-63B): no composition rules, a generous maximum.
 * Length is counted in code points after NFKC, as the hasher sees the password.
 */
@Injectable()
export class PasswordPolicy {
  constructor(@Inject(authCoreConfig.KEY) private readonly config: ConfigType<typeof authCoreConfig>) {}

  problems(password: string): string[] {
    const length = [...password.normalize('NFKC')].length;
    if (length < this.config.passwordMinLength) return [`must be at least ${this.config.passwordMinLength} characters`];
    if (length > this.config.passwordMaxLength) return [`must be at most ${this.config.passwordMaxLength} characters`];
    return [];
  }

  /** Throws a 400 naming the field when the password breaks the policy. */
  assert(password: string, field = 'password'): void {
    const problems = this.problems(password);
    if (problems.length) throw new ValidationError([{ field, messages: problems.map((problem) => `${field} ${problem}`) }]);
  }
}
