import { DataSource } from 'typeorm';
import { AccountStateCache } from '@identity/common';
import { LocalAccountsService, NewLocalUser } from '@identity/auth-providers/local';
import { UserEntity } from '@identity/users';
import { TestApp } from './test-app';

let counter = 0;
const phoneBase = (process.pid % 1000) * 100000 + (Date.now() % 100000);
const phoneCounter = () => (phoneBase + counter) % 1e8;

export interface TestUser {
  id: string;
  email: string;
  phone: string;
  username: string;
  password: string;
}

/** Creates a password account through the same service the CLI and admin bootstrap use. */
export async function createUser(t: TestApp, overrides: Partial<NewLocalUser> = {}): Promise<TestUser> {
  counter += 1;
  const unique = `${process.pid}${counter}${Date.now() % 100000}`;
  const input: NewLocalUser = {
    email: `user${unique}@example.com`,
    // German mobile range: any 8 digits after +49151 form a valid number.
    phone: `+49151${String(phoneCounter()).padStart(8, '0')}`,
    username: `roll-${unique}`,
    password: 'correct horse battery staple',
    displayName: 'Test User',
    verified: true,
    ...overrides,
  };
  const user = await t.app.get(LocalAccountsService).create(input);
  return { id: user.id, email: user.email!, phone: user.phone!, username: input.username!.toLowerCase(), password: input.password };
}

export async function login(t: TestApp, identifier: string, password: string) {
  return t.http().post('/api/v1/auth/login').send({ identifier, password });
}

/** Signs in and returns the token response body; fails the test when sign-in fails. */
export async function signedIn(t: TestApp, user: TestUser) {
  const response = await login(t, user.email, user.password);
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as { accessToken: string; refreshToken: string; sessionId: string; user: { id: string } };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/**
 * Deactivates an account straight in the database, as an operator's SQL would. Such a change
 * reaches no instance's AccountStateCache; this one is told, like the admin API's change would.
 */
export async function deactivate(t: TestApp, userId: string): Promise<void> {
  await t.app.get(DataSource).getRepository(UserEntity).update({ id: userId }, { isActive: false });
  t.app.get(AccountStateCache).forgetUser(userId);
}

export async function countRows(t: TestApp, table: string): Promise<number> {
  const [{ count }] = await t.app.get(DataSource).query(`SELECT COUNT(*) AS count FROM ${table}`);
  return Number(count);
}
