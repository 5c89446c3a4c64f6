// What the web tests share: build the page once with Vite, serve it on 127.0.0.1 on a free port,
// and drive Debian's chromium through playwright-core (never a downloaded browser).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';

export const chromiumPath = '/usr/bin/chromium';
export const root = process.cwd();
export const artifacts = join(root, 'test-artifacts');
const outDir = join(artifacts, 'web-dist');
const configFile = join(root, 'web/vite.config.ts');

/** false, or why the browser tests cannot run here. */
export const skipReason: false | string = existsSync(chromiumPath)
  ? false
  : `${chromiumPath} is missing (CI installs it in .ci/run: apt-get install chromium)`;

export interface Session {
  readonly page: Page;
  /** Console errors and uncaught page errors so far. */
  readonly errors: string[];
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** Builds the page, serves it with the same COOP/COEP headers as `npm run web`, opens it. */
export async function openPage(): Promise<Session> {
  mkdirSync(artifacts, { recursive: true });
  await build({ configFile, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  const port = await freePort();
  const server: PreviewServer = await preview({
    configFile,
    logLevel: 'error',
    build: { outDir },
    preview: { port, strictPort: true, open: false },
  });
  const browser: Browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.setDefaultTimeout(5_000); // a control that cannot be found fails fast, not after 30 s
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
  return {
    page,
    errors,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/** The numbers a page element publishes in a data attribute (JSON). */
export async function numbersOf(page: Page, selector: string, attribute = 'data-values'): Promise<number[]> {
  const text = await page.getAttribute(selector, attribute);
  assert.ok(text, `${selector} has no ${attribute}`);
  return JSON.parse(text) as number[];
}

/** The first MNIST test digit of a class, as the page ships it (0..1 grey, 28x28). */
export function shippedDigit(label: number): Float32Array {
  const file = JSON.parse(readFileSync(join(root, 'web/public/digits.json'), 'utf8')) as {
    digits: { label: number; rows: string[] }[];
  };
  const rows = file.digits.find((digit) => digit.label === label)!.rows;
  return Float32Array.from(
    rows.flatMap((hex) =>
      Array.from({ length: 28 }, (_, column) => parseInt(hex.slice(column * 2, column * 2 + 2), 16) / 255),
    ),
  );
}
