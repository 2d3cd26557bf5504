import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AppError, Errors, Principal, SecurityEvents } from '@identity/common';
import { isUniqueViolation, TransactionRunner } from '@identity/database';
import { UserEntity } from '@identity/users';
import { ExternalIdentity } from '../registry/login-method';
import { ProviderRegistry } from '../registry/provider-registry';
import { identityLinkedElsewhere, providerAlreadyLinked, SignInService } from '../signin/sign-in.service';
import { UserAuthEntity } from '../user-auth.entity';
import { IdentityDto } from './identity.dto';
import { ReauthenticationService } from './reauthentication.service';

const lastSignInMethod = () =>
  new AppError(
    HttpStatus.CONFLICT,
    'last_sign_in_method',
    'Last sign-in method',
    'This is the last way to sign in to your account. Link another method or set a password first.',
  );

/**
 * The sign-in methods of the signed-in account: listing, linking one while signed in, unlinking.
 * Any method goes through here; the core never names one.
 *
 * Linking and unlinking change who can enter the account, so both need a recent sign-in or the
 * current password, like an email change. Unlinking keeps at least one method that can still sign
 * in (a password credential counts; a method this deployment does not mount does not).
 */
@Injectable()
export class IdentitiesService {
  constructor(
    private readonly registry: ProviderRegistry,
    private readonly signIn: SignInService,
    private readonly reauthentication: ReauthenticationService,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    @InjectRepository(UserAuthEntity) private readonly identities: Repository<UserAuthEntity>,
  ) {}

  async list(userId: string): Promise<IdentityDto[]> {
    const rows = await this.identities.find({
      where: { userId },
      relations: { authProvider: true },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    return rows.map(toDto);
  }

  /**
   * Links a proven identity to the signed-in account. Linking it again is a no-op (200 with the
   * same row); one that belongs to another account is refused and nothing moves.
   */
  async link(principal: Principal, identity: ExternalIdentity, currentPassword?: string): Promise<IdentityDto> {
    await this.reauthentication
      .assertRecentOrPassword(principal, currentPassword)
      .catch((error: unknown) => this.refused('identity.linked', principal, identity.providerId, error));
    const providerRowId = this.registry.rowId(identity.providerId);
    try {
      await this.transactions.run((manager) => this.signIn.linkIdentity(manager, principal.userId, identity));
    } catch (error) {
      // A concurrent link of the same subject (or of this method to this account) won the race.
      const answer = isUniqueViolation(error) ? await this.collisionAnswer(principal.userId, identity, providerRowId) : error;
      await this.refused('identity.linked', principal, identity.providerId, answer);
    }
    const row = await this.identities.findOneOrFail({
      where: { authProviderId: providerRowId, providerUserId: identity.subject },
      relations: { authProvider: true },
    });
    return toDto(row);
  }

  async unlink(principal: Principal, id: string, currentPassword?: string): Promise<void> {
    await this.reauthentication
      .assertRecentOrPassword(principal, currentPassword)
      .catch((error: unknown) => this.refused('identity.unlinked', principal, null, error));
    await this.transactions
      .run((manager) => this.unlinkIn(manager, principal.userId, id))
      .catch((error: unknown) => this.refused('identity.unlinked', principal, null, error));
  }

  private async collisionAnswer(userId: string, identity: ExternalIdentity, providerRowId: string): Promise<unknown> {
    const holder = await this.identities.findOne({ where: { authProviderId: providerRowId, providerUserId: identity.subject } });
    if (holder && holder.userId !== userId) return identityLinkedElsewhere();
    return holder ? null : providerAlreadyLinked();
  }

  private async unlinkIn(manager: EntityManager, userId: string, id: string): Promise<void> {
    // Locks the user row first, so two unlinks racing for the last two methods run one after the other.
    await manager
      .createQueryBuilder()
      .update(UserEntity)
      .set({ id: () => 'id' })
      .where('id = :userId', { userId })
      .execute();
    const rows = await manager.find(UserAuthEntity, { where: { userId }, relations: { authProvider: true } });
    const target = rows.find((row) => row.id === id);
    if (!target) throw Errors.notFound('identity');
    if (!rows.some((row) => row.id !== id && this.canSignIn(row))) throw lastSignInMethod();
    await manager.delete(UserAuthEntity, { id });
    await this.events.publish({
      action: 'identity.unlinked',
      success: true,
      userId,
      metadata: { provider: target.authProvider!.name },
      manager,
    });
  }

  /** A method that still opens the account: mounted here, and for passwords, with a password set. */
  private canSignIn(row: UserAuthEntity): boolean {
    if (!row.authProvider || !this.registry.get(row.authProvider.name)) return false;
    return row.authProvider.kind !== 'password' || row.passwordHash !== null;
  }

  /** Records a refused link or unlink (its code, never a token or password), then rethrows it. */
  private async refused(
    action: 'identity.linked' | 'identity.unlinked',
    principal: Principal,
    provider: string | null,
    error: unknown,
  ): Promise<void> {
    if (error === null) return;
    if (error instanceof AppError) {
      await this.events.publish({
        action,
        success: false,
        userId: principal.userId,
        errorCode: error.code,
        metadata: provider ? { provider } : {},
      });
    }
    throw error;
  }
}

function toDto(row: UserAuthEntity): IdentityDto {
  const data = row.providerData ?? {};
  return {
    id: row.id,
    provider: row.authProvider?.name ?? '',
    displayName: row.authProvider?.displayName ?? '',
    providerUserId: row.providerUserId,
    email: row.providerEmail,
    phone: typeof data.phone === 'string' ? data.phone : null,
    username: row.username,
    verified: row.isVerified,
    hasPassword: row.passwordHash !== null,
    createdAt: row.createdAt,
    linkedAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
  };
}
