import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, JsonColumn, RefColumn, TimeColumn, UpdatedAtColumn } from '@identity/database';

/** What a person asked to register with, password already hashed, waiting for their code. */
export interface RegistrationData {
  email: string | null;
  phone: string | null;
  username: string | null;
  passwordHash: string;
  displayName: string;
  profile: Record<string, unknown> | null;
  roles: string[];
}

/**
 * A registration waiting for its one-time code. No `users` row exists until the code is
 * verified; registering again with the same destination updates this row (unique destination).
 */
@Entity('pending_registrations')
@Index('idx_pending_registrations_expires', ['expiresAt'])
export class PendingRegistrationEntity {
  @IdColumn()
  id: string;

  @Column({ type: 'varchar', length: 8 })
  channel: 'email' | 'sms';

  /** Normalized email or E.164 phone number the code went to. */
  @Index('uq_pending_registrations_destination', { unique: true })
  @Column({ type: 'varchar', length: 320 })
  destination: string;

  @JsonColumn({ name: 'registration_data', nullable: false })
  registrationData: RegistrationData;

  @RefColumn({ name: 'challenge_id', nullable: true })
  challengeId: string | null;

  @TimeColumn({ name: 'expires_at' })
  expiresAt: Date;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
