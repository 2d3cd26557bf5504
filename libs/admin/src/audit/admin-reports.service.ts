import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { AuditQueryService } from '@identity/audit';
import { SessionEntity } from '@identity/sessions';
import { UserEntity } from '@identity/users';
import { ActiveSessionsUserDto, FailedLoginsDayDto } from './admin-audit.dto';

/** Aggregate views for admins. Reports read, they never change anything. */
@Injectable()
export class AdminReportsService {
  constructor(
    private readonly audit: AuditQueryService,
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
  ) {}

  async failedLogins(days: number, now = new Date()): Promise<FailedLoginsDayDto[]> {
    const counts = await this.audit.dailyCounts('login.failed', days, now);
    return counts.map(({ day, count, distinctUsers }) => ({ day, failures: count, distinctUsers }));
  }

  /**
   * Users by number of active (not revoked, not expired) sessions, most first. An occasional
   * report over the sessions table, grouped through its (user_id, revoked_at) index.
   */
  async activeSessions(limit: number, now = new Date()): Promise<ActiveSessionsUserDto[]> {
    const rows: { userId: string; activeSessions: string | number; lastUsedAt: Date | string }[] = await this.sessions
      .createQueryBuilder('s')
      .select('s.userId', 'userId')
      .addSelect('COUNT(*)', 'activeSessions')
      .addSelect('MAX(s.lastUsedAt)', 'lastUsedAt')
      .where('s.revokedAt IS NULL')
      .andWhere('s.expiresAt > :now', { now })
      .groupBy('s.userId')
      .orderBy('COUNT(*)', 'DESC')
      .addOrderBy('s.userId', 'ASC')
      .limit(limit)
      .getRawMany();
    if (rows.length === 0) return [];
    const users = new Map((await this.users.findBy({ id: In(rows.map((row) => row.userId)) })).map((user) => [user.id, user]));
    return rows.flatMap((row) => {
      const user = users.get(row.userId);
      // A user deleted between the two reads has no sessions left (cascade).
      if (!user) return [];
      return [
        {
          userId: row.userId,
          email: user.email,
          phone: user.phone,
          displayName: user.displayName,
          activeSessions: Number(row.activeSessions),
          lastUsedAt: toDate(row.lastUsedAt),
        },
      ];
    });
  }
}

/** MAX() of a datetime comes back raw: a Date from MySQL, UTC text from SQLite. */
function toDate(value: Date | string): Date {
  if (value instanceof Date) return value;
  return new Date(/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
}
