import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError, FieldError, SecurityEvents } from '@identity/common';
import { hashScheme, isProviderEnabled, ProviderRegistry, UserAuthEntity } from '@identity/auth-core';
import { LOCAL_PROVIDER_ID, LocalAccountsService, NewLocalAccount, NormalizedContacts } from '@identity/auth-providers/local';
import { isUniqueViolation, TransactionRunner } from '@identity/database';
import { RoleEntity } from '@identity/rbac';
import { UserEntity } from '@identity/users';
import { shapeProblems } from './account-creation';
import { CliError } from './cli-errors';
import { ImportRecord } from './import-file';
import { readRow } from './import-row';

export type RowStatus = 'created' | 'existing' | 'invalid';

export interface RowOutcome {
  row: number;
  status: RowStatus;
  /** Why a row was skipped or refused; never a value from the row. */
  reason?: string;
}

export interface ImportSummary {
  file: string;
  format: string;
  dryRun: boolean;
}

const HASH_PROBLEM = 'passwordHash must be a bcrypt ($2a$, $2b$, $2y$) or argon2 ($argon2id$, $argon2i$) hash';

/**
 * Creates password accounts from records whose passwords were hashed elsewhere. Each row is its
 * own transaction (user, credential, roles and its user.created event), so a failure leaves no
 * half-written account, and rows whose email, phone or username already exists are skipped: a
 * second run of the same file creates nothing more.
 */
export class UserImporter {
  private readonly local: LocalAccountsService;
  private readonly dataSource: DataSource;
  /** Identifier → the first row of the file that claimed it. */
  private readonly claimed = new Map<string, number>();

  constructor(
    private readonly app: INestApplicationContext,
    private readonly dryRun: boolean,
  ) {
    if (!isProviderEnabled(LOCAL_PROVIDER_ID)) {
      throw new CliError('password sign-in is disabled (AUTH_PROVIDERS does not list local): imported accounts could not sign in');
    }
    this.local = app.get(LocalAccountsService, { strict: false });
    this.dataSource = app.get(DataSource);
  }

  async importAll(records: ImportRecord[]): Promise<RowOutcome[]> {
    const roles = new Set((await this.dataSource.getRepository(RoleEntity).find({ select: { name: true } })).map((role) => role.name));
    const outcomes: RowOutcome[] = [];
    for (const record of records) outcomes.push(await this.importOne(record, roles));
    return outcomes;
  }

  /** One summary event for the run (each account also has its own user.created). */
  async audit(summary: ImportSummary, outcomes: RowOutcome[]): Promise<void> {
    const count = (status: RowStatus) => outcomes.filter((outcome) => outcome.status === status).length;
    const invalid = count('invalid');
    await this.app.get(SecurityEvents).publish({
      action: 'users.imported',
      success: invalid === 0,
      errorCode: invalid ? 'import_rows_invalid' : null,
      metadata: { ...summary, rows: outcomes.length, created: count('created'), existing: count('existing'), invalid },
    });
  }

  private async importOne(record: ImportRecord, roles: Set<string>): Promise<RowOutcome> {
    const { row } = record;
    const checked = this.check(record, roles);
    if ('problems' in checked) return { row, status: 'invalid', reason: checked.problems.join('; ') };
    const duplicate = this.claim(checked, row);
    if (duplicate) return { row, status: 'invalid', reason: duplicate };
    const taken = await this.takenIdentifier(checked);
    if (taken) return { row, status: 'existing', reason: `${taken} belongs to an existing account` };
    if (this.dryRun) return { row, status: 'created' };
    return this.insert(row, checked);
  }

  /** The account a record describes, or everything wrong with it. */
  private check(record: ImportRecord, roles: Set<string>): NewLocalAccount | { problems: string[] } {
    if (record.malformed) return { problems: [record.malformed] };
    const { fields, problems } = readRow(record.values);
    const { contacts, problems: contactProblems } = this.local.normalizeContacts(fields);
    problems.push(...messages([...shapeProblems({ email: fields.email, displayName: fields.displayName ?? '' }), ...contactProblems]));
    if (!fields.passwordHash || !hashScheme(fields.passwordHash)) problems.push(HASH_PROBLEM);
    const unknownRoles = fields.roles.filter((role) => !roles.has(role));
    if (unknownRoles.length) problems.push(`unknown role(s): ${unknownRoles.join(', ')}`);
    if (fields.emailVerified && !contacts.email) problems.push('emailVerified needs an email');
    if (fields.phoneVerified && !contacts.phone) problems.push('phoneVerified needs a phone');
    if (problems.length) return { problems };
    return {
      ...contacts,
      passwordHash: fields.passwordHash!,
      displayName: fields.displayName!,
      emailVerified: fields.emailVerified,
      phoneVerified: fields.phoneVerified,
      roles: fields.roles,
    };
  }

  /** The same email, phone or username twice in one file: only the first row may have it. */
  private claim(contacts: NormalizedContacts, row: number): string | undefined {
    const keys = identifiers(contacts);
    for (const [kind, value] of keys) {
      const first = this.claimed.get(`${kind}:${value}`);
      if (first !== undefined) return `${kind} also in row ${first}`;
    }
    for (const [kind, value] of keys) this.claimed.set(`${kind}:${value}`, row);
    return undefined;
  }

  private async takenIdentifier(contacts: NormalizedContacts): Promise<string | undefined> {
    const users = this.dataSource.getRepository(UserEntity);
    if (contacts.email && (await users.existsBy({ email: contacts.email }))) return 'email';
    if (contacts.phone && (await users.existsBy({ phone: contacts.phone }))) return 'phone';
    const authProviderId = this.app.get(ProviderRegistry, { strict: false }).rowId(LOCAL_PROVIDER_ID);
    const usernameTaken =
      contacts.username && (await this.dataSource.getRepository(UserAuthEntity).existsBy({ authProviderId, username: contacts.username }));
    return usernameTaken ? 'username' : undefined;
  }

  private async insert(row: number, account: NewLocalAccount): Promise<RowOutcome> {
    try {
      await this.app.get(TransactionRunner).run((manager) => this.local.insertAccount(manager, account));
      return { row, status: 'created' };
    } catch (error) {
      // Created by someone else since the check above.
      if (isUniqueViolation(error)) return { row, status: 'existing', reason: 'an identifier was taken while importing' };
      if (error instanceof AppError) return { row, status: 'invalid', reason: `${error.code}: ${error.detail ?? error.title}` };
      throw error;
    }
  }
}

function identifiers(contacts: NormalizedContacts): [string, string][] {
  return (['email', 'phone', 'username'] as const).flatMap((kind) => (contacts[kind] ? [[kind, contacts[kind]] as [string, string]] : []));
}

const messages = (problems: FieldError[]) => problems.flatMap((problem) => problem.messages);
