import { describe, it } from 'node:test';
import { expect } from 'expect';
import { loadAppConfig } from './app.config';
import { ConfigValidationError, parseDuration, parseList } from './validate-env';

describe('configuration helpers', () => {
  it('parses durations in seconds', () => {
    expect(parseDuration('900')).toBe(900);
    expect(parseDuration('15m')).toBe(900);
    expect(parseDuration('12h')).toBe(43200);
    expect(parseDuration('30d')).toBe(2592000);
    expect(() => parseDuration('soon')).toThrow();
  });

  it('parses comma lists, ignoring blanks', () => {
    expect(parseList(' a, b ,,c ')).toEqual(['a', 'b', 'c']);
    expect(parseList(undefined)).toEqual([]);
  });

  it('applies defaults and derives the public URL from the port', () => {
    const config = loadAppConfig({});
    expect(config).toMatchObject({ env: 'development', port: 3000, publicUrl: 'http://localhost:3000', corsOrigins: [], trustProxy: 0 });
  });

  it('reports every invalid variable in one error', () => {
    try {
      loadAppConfig({ PORT: '-1', TRUST_PROXY: 'yes', LOG_LEVEL: 'loud', LOG_FORMAT: 'yaml' });
      throw new Error('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigValidationError);
      expect((error as ConfigValidationError).problems.map((problem) => problem.split(':')[0]).sort()).toEqual([
        'LOG_FORMAT',
        'LOG_LEVEL',
        'PORT',
        'TRUST_PROXY',
      ]);
    }
  });

  it('writes JSON log lines except in development, unless LOG_FORMAT says otherwise', () => {
    expect(loadAppConfig({}).logFormat).toBe('pretty');
    expect(loadAppConfig({ NODE_ENV: 'test' }).logFormat).toBe('json');
    expect(loadAppConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://id.example.com' }).logFormat).toBe('json');
    expect(loadAppConfig({ NODE_ENV: 'development', LOG_FORMAT: 'json' }).logFormat).toBe('json');
  });

  it('refuses production without PUBLIC_URL or with a wildcard CORS origin', () => {
    expect(() => loadAppConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://id.example.com', CORS_ORIGINS: '*' })).toThrow(/wildcard/);
    expect(() => loadAppConfig({ NODE_ENV: 'production' })).toThrow(/PUBLIC_URL: required/);
  });
});
