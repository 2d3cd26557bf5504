import { ClientContext } from '@identity/common';
import { OutgoingMessage } from '@identity/messaging';
import { UserEntity } from '@identity/users';

/** Where notices about an account go: its email when it has one, else its phone. */
export function noticeAddressOf(user: UserEntity): Pick<OutgoingMessage, 'channel' | 'to'> | null {
  if (user.email) return { channel: 'email', to: user.email };
  if (user.phone) return { channel: 'sms', to: user.phone };
  return null;
}

/**
 * "Your password was changed", with when and from where, so an owner who did not do it notices
 * and can recover the account. Null when the account has nowhere to send it.
 */
export function passwordChangedNotice(user: UserEntity, changedAt: Date, client: Pick<ClientContext, 'ip'>): OutgoingMessage | null {
  const address = noticeAddressOf(user);
  if (!address) return null;
  return {
    ...address,
    template: 'password_changed',
    locale: user.locale,
    data: { displayName: user.displayName, changedAt: changedAt.toISOString(), ip: client.ip },
  };
}
