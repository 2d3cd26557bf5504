import { describe, it } from 'node:test';
import { expect } from 'expect';
import { UserEntity } from '@identity/users';
import { noticeAddressOf, passwordChangedNotice } from './account-notices';

describe('account notices', () => {
  const user = (contacts: Partial<UserEntity>) =>
    ({ displayName: 'Ada', locale: null, email: null, phone: null, ...contacts }) as UserEntity;

  it('go to the email when there is one, else to the phone, else nowhere', () => {
    expect(noticeAddressOf(user({ email: 'a@example.com', phone: '+4915112345678' }))).toEqual({ channel: 'email', to: 'a@example.com' });
    expect(noticeAddressOf(user({ phone: '+4915112345678' }))).toEqual({ channel: 'sms', to: '+4915112345678' });
    expect(noticeAddressOf(user({}))).toBeNull();
    expect(passwordChangedNotice(user({}), new Date(), { ip: null })).toBeNull();
  });

  it('say when and from where the password changed', () => {
    const notice = passwordChangedNotice(user({ email: 'a@example.com' }), new Date('2026-01-01T12:00:00Z'), { ip: '192.0.2.7' });
    expect(notice).toEqual({
      channel: 'email',
      to: 'a@example.com',
      template: 'password_changed',
      locale: null,
      data: { displayName: 'Ada', changedAt: '2026-01-01T12:00:00.000Z', ip: '192.0.2.7' },
    });
  });
});
