import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, RefColumn, TimeColumn } from '@identity/database';

/**
 * A redirect sign-in (or link) between its start and the provider's callback. Nothing here is a
 * usable secret: the state is stored as its hash, the browser binding as the hash of the cookie
 * value, and the PKCE verifier is derived from the cookie and the state at the callback, so a
 * leaked table neither completes a flow nor tells an attacker which cookie to forge.
 */
@Entity('redirect_flows')
@Index('idx_redirect_flows_expires', ['expiresAt'])
export class RedirectFlowEntity {
  @IdColumn()
  id: string;

  @Column({ type: 'varchar', length: 50 })
  provider: string;

  @Index('uq_redirect_flows_state', { unique: true })
  @Column({ name: 'state_hash', type: 'varchar', length: 64 })
  stateHash: string;

  @Column({ name: 'browser_hash', type: 'varchar', length: 64 })
  browserHash: string;

  /** Sent to the provider and expected back in its ID token; not a secret. */
  @Column({ type: 'varchar', length: 64 })
  nonce: string;

  /** The allow-listed client URL the flow returns to. */
  @Column({ name: 'redirect_uri', type: 'varchar', length: 2000 })
  redirectUri: string;

  /** Set when a signed-in user started the flow to link the identity to their account. */
  @RefColumn({ name: 'link_user_id', nullable: true })
  linkUserId: string | null;

  @TimeColumn({ name: 'expires_at' })
  expiresAt: Date;

  @TimeColumn({ name: 'consumed_at', nullable: true })
  consumedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;
}
