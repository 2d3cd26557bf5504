import { describe, it } from 'node:test';
import { expect } from 'expect';
import { ConfigType } from '@nestjs/config';
import { messagingConfig } from '@identity/messaging';
import { authCoreConfig } from '../auth-core.config';
import { PasswordPolicy } from './password-policy';

const policy = new PasswordPolicy(
  { passwordMinLength: 8, passwordMaxLength: 128 } as ConfigType<typeof authCoreConfig>,
  { appName: 'Campus ID' } as ConfigType<typeof messagingConfig>,
);

describe('password policy', () => {
  it('counts code points after NFKC and has no composition rules', () => {
    expect(policy.problems('ｃｏｒｒｅｃｔ horse')).toEqual([]);
    expect(policy.problems('all lower case words')).toEqual([]);
    expect(policy.problems('😀😀😀😀😀😀😀')).toEqual(['must be at least 8 characters']);
    expect(policy.problems('x'.repeat(129))).toEqual(['must be at most 128 characters']);
  });

  it('refuses the common passwords of the maintained list, whatever their case', () => {
    for (const common of ['password', 'Password1', 'qwertyuiop', 'iloveyou', 'football', '12345678']) {
      expect({ common, problems: policy.problems(common) }).toEqual({
        common,
        problems: ['is one of the most common passwords; choose a less guessable one'],
      });
    }
  });

  it("refuses the account's own names and the service's, and says why", () => {
    const context = { email: 'grace.hopper@example.com', username: 'cs-042', phone: '+4915112345678' };
    const why = ['must not contain your email, username, phone number or the name of this service'];
    expect(policy.problems('Grace.Hopper rocks', context)).toEqual(why);
    expect(policy.problems('my cs-042 secret', context)).toEqual(why);
    expect(policy.problems('4915112345678!', context)).toEqual(why);
    expect(policy.problems('campus id forever', context)).toEqual(why);
    expect(policy.problems('an unrelated passphrase', context)).toEqual([]);
  });
});
