import { describe, it } from 'node:test';
import { expect } from 'expect';
import { ConfigValidationError } from '@identity/common';
import { poolUsage, withTimeout } from './database-gauges';
import { loadMetricsConfig } from './metrics.config';
import { bearerToken, tokenMatches } from './metrics-token.guard';
import { routeLabel, UNMATCHED_ROUTE } from './http-metrics';
import { providerLabel } from './security-metrics.listener';

describe('metrics helpers', () => {
  it('is on by default, without a token', () => {
    expect(loadMetricsConfig({})).toEqual({ enabled: true, token: undefined });
    expect(loadMetricsConfig({ METRICS_ENABLED: 'false', METRICS_TOKEN: 'x'.repeat(16) })).toEqual({
      enabled: false,
      token: 'x'.repeat(16),
    });
  });

  it('refuses a short token and a switch that is not true/false, without echoing the token', () => {
    try {
      loadMetricsConfig({ METRICS_ENABLED: 'yes', METRICS_TOKEN: 'short-secret' });
      throw new Error('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigValidationError);
      const problems = (error as ConfigValidationError).problems.join('\n');
      expect(problems).toMatch(/METRICS_ENABLED/);
      expect(problems).toMatch(/METRICS_TOKEN/);
      expect(problems).not.toContain('short-secret');
    }
  });

  it('compares tokens whatever their length', () => {
    expect(tokenMatches('a-long-metrics-token', 'a-long-metrics-token')).toBe(true);
    expect(tokenMatches('a-long-metrics-tokem', 'a-long-metrics-token')).toBe(false);
    expect(tokenMatches('short', 'a-long-metrics-token')).toBe(false);
    expect(tokenMatches('', 'a-long-metrics-token')).toBe(false);
  });

  it('reads only a well-formed bearer header', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken(['Bearer abc'])).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('labels requests by route pattern, and unmatched ones alike', () => {
    expect(routeLabel({ routeOptions: { url: '/api/v1/me/sessions/:id' } } as never)).toBe('/api/v1/me/sessions/:id');
    expect(routeLabel({ routeOptions: { url: undefined } } as never)).toBe(UNMATCHED_ROUTE);
  });

  it('keeps provider labels to login method ids', () => {
    expect(providerLabel({ action: 'login.failed', success: false, metadata: { provider: 'local' } })).toBe('local');
    expect(providerLabel({ action: 'login.failed', success: false, metadata: { step: 'exchange' } })).toBe('unknown');
    expect(providerLabel({ action: 'login.failed', success: false, metadata: { provider: 'x'.repeat(200) } })).toBe('unknown');
  });

  it('reads mysql2 pool counts, and nothing without a pool', () => {
    const pool = {
      config: { connectionLimit: 10 },
      _allConnections: { length: 3 },
      _freeConnections: { length: 1 },
      _connectionQueue: { length: 0 },
    };
    expect(poolUsage({ driver: { pool } } as never)).toEqual({ total: 3, free: 1, queued: 0, max: 10 });
    expect(poolUsage({ driver: {} } as never)).toBeNull();
  });

  it('gives up on slow work', async () => {
    await expect(withTimeout(new Promise(() => undefined), 20, 'waiting')).rejects.toThrow('waiting took longer than 20 ms');
    await expect(withTimeout(Promise.resolve(7), 20, 'waiting')).resolves.toBe(7);
  });
});
