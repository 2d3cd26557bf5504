// Migrations in the order they run. Generated files are appended by scripts/schema.ts.
import { SearchIndexes1796140800000 } from './1796140800000-search-indexes';
import { JobRuns1796077769133 } from './1796077769133-job-runs';
import { RedirectSignIn1796054443390 } from './1796054443390-redirect-sign-in';
import { Mfa1796054601873 } from './1796054601873-mfa';
import { OtpOutboxRegistrations1795333227678 } from './1795333227678-otp-outbox-registrations';
import { ListIndexes1795332947509 } from './1795332947509-list-indexes';
import { ProviderSwitch1795323794918 } from './1795323794918-provider-switch';
import { AuditLog1795323469803 } from './1795323469803-audit-log';
import { Init1795320661075 } from './1795320661075-init';
export const MYSQL_MIGRATIONS = [
  Init1795320661075,
  AuditLog1795323469803,
  ProviderSwitch1795323794918,
  ListIndexes1795332947509,
  OtpOutboxRegistrations1795333227678,
  RedirectSignIn1796054443390,
  Mfa1796054601873,
  JobRuns1796077769133,
  SearchIndexes1796140800000,
];
