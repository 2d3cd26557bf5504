import { loadAbuseConfig } from '@identity/abuse';
import { loadAuditConfig } from '@identity/audit';
import { loadAuthCoreConfig, loadRedirectConfig } from '@identity/auth-core';
import { loadFirebaseConfig } from '@identity/auth-providers/firebase';
import { loadGoogleConfig } from '@identity/auth-providers/google';
import { loadLocalConfig } from '@identity/auth-providers/local';
import { loadOAuthProvidersConfig } from '@identity/auth-providers/oauth';
import { ConfigValidationError, loadAppConfig } from '@identity/common';
import { loadDatabaseConfig, loadJobsConfig } from '@identity/database';
import { loadMessagingConfig } from '@identity/messaging';
import { loadMetricsConfig } from '@identity/metrics';
import { loadMfaConfig } from '@identity/mfa';
import { loadOtpConfig } from '@identity/otp';
import { loadSessionsConfig } from '@identity/sessions';

const LOADERS = [
  loadAppConfig,
  loadDatabaseConfig,
  loadJobsConfig,
  loadSessionsConfig,
  loadAuthCoreConfig,
  loadRedirectConfig,
  loadAuditConfig,
  loadOtpConfig,
  loadAbuseConfig,
  loadMessagingConfig,
  loadMetricsConfig,
  loadMfaConfig,
  loadLocalConfig,
  loadFirebaseConfig,
  loadGoogleConfig,
  loadOAuthProvidersConfig,
];

/**
 * Validates every configuration namespace before anything starts, and reports all problems at
 * once, so an operator fixes the whole environment in one go instead of one variable per boot.
 */
export function assertValidConfig(env: NodeJS.ProcessEnv = process.env): void {
  const problems: string[] = [];
  for (const load of LOADERS) {
    try {
      load(env);
    } catch (error) {
      if (!(error instanceof ConfigValidationError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length) throw new ConfigValidationError(problems);
}
