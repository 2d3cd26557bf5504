// Migrations in the order they run. Generated files are appended by scripts/schema.ts.
import { SearchIndexes1796140800000 } from './1796140800000-search-indexes';
import { JobRuns1796077768779 } from './1796077768779-job-runs';
import { RedirectSignIn1796054443242 } from './1796054443242-redirect-sign-in';
import { Mfa1796054600895 } from './1796054600895-mfa';
import { OtpOutboxRegistrations1795333226515 } from './1795333226515-otp-outbox-registrations';
import { ListIndexes1795332947315 } from './1795332947315-list-indexes';
import { ProviderSwitch1795323794753 } from './1795323794753-provider-switch';
import { AuditLog1795323469634 } from './1795323469634-audit-log';
import { Init1795320660997 } from './1795320660997-init';
export const SQLITE_MIGRATIONS = [
  Init1795320660997,
  AuditLog1795323469634,
  ProviderSwitch1795323794753,
  ListIndexes1795332947315,
  OtpOutboxRegistrations1795333226515,
  RedirectSignIn1796054443242,
  Mfa1796054600895,
  JobRuns1796077768779,
  SearchIndexes1796140800000,
];
