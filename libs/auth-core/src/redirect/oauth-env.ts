import { loadAppConfig } from '@identity/common';

/** A provider's published endpoints, used unless its `<PREFIX>_*_URL` variables override them. */
export interface OAuthEndpointDefaults {
  authorizationUrl: string;
  tokenUrl: string;
  userinfoUrl: string | null;
  jwksUrl: string | null;
  /** Accepted ID-token issuers when `<PREFIX>_ISSUER` is unset. */
  issuers: string[];
}

/** The settings one OAuth provider reads from `<PREFIX>_CLIENT_ID`, `<PREFIX>_TOKEN_URL`, … */
export interface OAuthEnv {
  clientId: string | null;
  clientSecret: string | null;
  callbackUrl: string;
  authorizationUrl: string;
  tokenUrl: string;
  userinfoUrl: string | null;
  jwksUrl: string | null;
  issuers: string[];
}

const URL_SUFFIXES = ['CALLBACK_URL', 'AUTHORIZATION_URL', 'TOKEN_URL', 'USERINFO_URL', 'JWKS_URL'] as const;

function urlProblem(name: string, value: string): string | null {
  try {
    const url = new URL(value);
    if (url.protocol === 'https:' || url.protocol === 'http:') return null;
  } catch {
    // reported below
  }
  return `${name} must be an absolute http(s) URL (got ${JSON.stringify(value)})`;
}

/**
 * Reads and checks one provider's variables: every URL must be absolute http(s). The same
 * suffixes serve every provider, so a new one is a prefix and its published endpoints. Returns
 * the problems instead of throwing so the caller can add its own and report them together.
 */
export function readOAuthEnv(
  prefix: string,
  providerId: string,
  defaults: OAuthEndpointDefaults,
  env: NodeJS.ProcessEnv = process.env,
): { config: OAuthEnv; problems: string[] } {
  const value = (suffix: string) => {
    const raw = env[`${prefix}_${suffix}`]?.trim();
    return raw ? raw : null;
  };
  const problems = URL_SUFFIXES.flatMap((suffix) => {
    const given = value(suffix);
    const problem = given === null ? null : urlProblem(`${prefix}_${suffix}`, given);
    return problem ? [problem] : [];
  });
  const clientId = value('CLIENT_ID');
  if (clientId && clientId.length > 512) problems.push(`${prefix}_CLIENT_ID is longer than 512 characters`);
  const issuer = value('ISSUER');
  return {
    problems,
    config: {
      clientId,
      clientSecret: value('CLIENT_SECRET'),
      callbackUrl: value('CALLBACK_URL') ?? `${loadAppConfig(env).publicUrl}/api/v1/auth/${providerId}/callback`,
      authorizationUrl: value('AUTHORIZATION_URL') ?? defaults.authorizationUrl,
      tokenUrl: value('TOKEN_URL') ?? defaults.tokenUrl,
      userinfoUrl: value('USERINFO_URL') ?? defaults.userinfoUrl,
      jwksUrl: value('JWKS_URL') ?? defaults.jwksUrl,
      issuers: issuer ? [issuer] : defaults.issuers,
    },
  };
}
