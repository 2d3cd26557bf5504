import { existsSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The Swagger UI page in a real browser: it renders under our Content-Security-Policy (helmet),
 * lists the password sign-in operation, and logs no errors. Uses Debian's Chromium; a browser
 * is never downloaded. A machine without Chromium fails this suite, it does not skip it.
 */

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LOGIN_PATH = '/api/v1/auth/login';
const STEP_TIMEOUT = 30_000;
const CSP_RECORDER = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push(event.violatedDirective + ' blocked ' + (event.blockedURI || '(inline)') + ' at ' + event.sourceFile + ':' + event.lineNumber);
  });
`;

interface OpenApiDocument {
  paths: Record<
    string,
    Record<string, { responses?: Record<string, unknown>; requestBody?: { content?: Record<string, { schema?: SchemaObject }> } }>
  >;
  components?: { schemas?: Record<string, SchemaObject> };
}
interface SchemaObject {
  $ref?: string;
  type?: string;
  properties?: Record<string, SchemaObject>;
  required?: string[];
}

describe('API docs page (headless Chromium)', () => {
  let t: TestApp | undefined;
  let baseUrl: string;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  /** Everything the page reported as going wrong, in order. */
  const problems: string[] = [];

  before(
    async () => {
      if (!existsSync(CHROMIUM_PATH)) {
        throw new Error(
          `Chromium not found at ${CHROMIUM_PATH}. Install Debian's package (apt-get install -y --no-install-recommends chromium) ` +
            'or set CHROMIUM_PATH to a Chromium binary. This suite does not download browsers and never skips.',
        );
      }
      t = await startTestApp();
      await t.app.listen(0, '127.0.0.1');
      const address = t.app.getHttpServer().address() as AddressInfo | string | null;
      if (!address || typeof address === 'string') throw new Error(`unexpected listen address: ${JSON.stringify(address)}`);
      baseUrl = `http://127.0.0.1:${address.port}`;

      // launch() gives Chromium a fresh temporary profile and removes it on close.
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        timeout: STEP_TIMEOUT,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          '--disable-quic',
          '--no-proxy-server',
        ],
      });
      context = await browser.newContext();
      context.setDefaultTimeout(STEP_TIMEOUT);
      context.setDefaultNavigationTimeout(STEP_TIMEOUT);
    },
    { timeout: 90_000 },
  );

  after(
    async () => {
      await context?.close().catch(() => undefined);
      await browser?.close().catch(() => undefined);
      await t?.close();
    },
    { timeout: 30_000 },
  );

  async function watch(page: Page): Promise<void> {
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
    });
    // CSP violations are also console errors in Chromium; this records the blocked URI and the
    // directive. Plain script text: this project compiles without the DOM typings.
    await page.addInitScript({ content: CSP_RECORDER });
  }

  it('renders Swagger UI with the password sign-in operation and no console errors or CSP violations', { timeout: 120_000 }, async () => {
    const page = await context!.newPage();
    await watch(page);

    const response = await page.goto(`${baseUrl}/docs`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");

    await page.locator('.swagger-ui .information-container .title').first().waitFor({ state: 'visible' });
    const login = page.locator('.opblock.opblock-post').filter({ has: page.locator(`[data-path="${LOGIN_PATH}"]`) });
    await login.first().waitFor({ state: 'visible' });
    await expect(login.count()).resolves.toBe(1);
    // Swagger UI breaks long paths with zero-width spaces; compare the visible text without them.
    const text = (await login.first().innerText()).replace(/[\u200b\u00ad]/g, '');
    expect(text).toContain('POST');
    expect(text).toContain(LOGIN_PATH);

    // Let late resources (fonts, images, deferred scripts) settle before judging the log.
    await page.waitForLoadState('networkidle');
    const cspViolations = await page.evaluate<string[]>('window.__cspViolations ?? []');
    expect(cspViolations).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('documents POST /api/v1/auth/login with a 401 response and an identifier + password body', { timeout: 60_000 }, async () => {
    const response = await fetch(`${baseUrl}/docs-json`, { signal: AbortSignal.timeout(STEP_TIMEOUT) });
    expect(response.status).toBe(200);
    const document = (await response.json()) as OpenApiDocument;

    const operation = document.paths[LOGIN_PATH]?.post;
    expect(operation).toBeDefined();
    expect(Object.keys(operation!.responses ?? {})).toEqual(expect.arrayContaining(['200', '401']));

    const schema = resolve(document, operation!.requestBody?.content?.['application/json']?.schema);
    expect(schema?.properties).toBeDefined();
    expect(Object.keys(schema!.properties!)).toEqual(expect.arrayContaining(['identifier', 'password']));
    expect(schema!.required ?? []).toEqual(expect.arrayContaining(['identifier', 'password']));
  });
});

function resolve(document: OpenApiDocument, schema: SchemaObject | undefined): SchemaObject | undefined {
  const prefix = '#/components/schemas/';
  if (!schema?.$ref) return schema;
  if (!schema.$ref.startsWith(prefix)) throw new Error(`unexpected $ref ${schema.$ref}`);
  return document.components?.schemas?.[schema.$ref.slice(prefix.length)];
}
