// What the web tests share: build the page with Vite, serve it on 127.0.0.1 on a free port (with the
// cross-origin isolation headers or, as a plain static host, without), and drive Debian's chromium
// through playwright-core (never a downloaded browser), at desktop and phone sizes.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import * as poolkit from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { serveStatic } from './static-server.js';

export const chromiumPath = '/usr/bin/chromium';
export const root = process.cwd();
export const artifacts = join(root, 'test-artifacts');
const configFile = join(root, 'web/vite.config.ts');

/** false, or why the browser tests cannot run here. */
export const skipReason: false | string = existsSync(chromiumPath)
  ? false
  : `${chromiumPath} is missing (CI installs it in .ci/run: apt-get install chromium)`;

/** The sizes screenshots are taken at: a laptop, and a phone (iPhone 12 to 15: 390x844 CSS pixels). */
export const screens = {
  desktop: { viewport: { width: 1440, height: 1000 } },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
} as const satisfies Record<string, BrowserContextOptions>;

export interface Tab {
  readonly page: Page;
  /** Console errors and uncaught page errors so far. */
  readonly errors: string[];
}

export interface Session extends Tab {
  /** Where the page is served. */
  readonly url: string;
  /** Another tab on the same page at a screen size (its own context: touch and pixel ratio too), `suffix` ('#recognizer', '?backend=webgpu') after its address. */
  open(screen: keyof typeof screens, suffix?: string): Promise<Tab>;
  close(): Promise<void>;
}

export interface PageOptions {
  /**
   * true (the default): served by `vite preview` with the COOP/COEP headers of `npm run web`.
   * false: by a plain static server, without them, as most hosts serve files.
   */
  readonly isolated?: boolean;
  /** Chromium flags beyond launchBrowser's own (WEBGPU_FLAGS for a software WebGPU adapter). */
  readonly browserArgs?: readonly string[];
}

/**
 * The flags that give headless chromium a WebGPU adapter without a GPU: WebGPU on, on SwiftShader
 * (the software Vulkan device Debian's chromium ships in /usr/lib/chromium).
 */
export const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'] as const;

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

/** Serves the built page in `outDir`; returns its address and how to stop serving. */
async function serve(outDir: string, isolated: boolean): Promise<{ url: string; close(): Promise<void> }> {
  if (!isolated) return serveStatic(outDir);
  const port = await freePort();
  const server: PreviewServer = await preview({
    configFile,
    logLevel: 'error',
    build: { outDir },
    preview: { port, strictPort: true, open: false },
  });
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}

async function openTab(browser: Browser, url: string, screen: keyof typeof screens): Promise<Tab> {
  const context = await browser.newContext(screens[screen]);
  const page = await context.newPage();
  // A control that cannot be found fails in 15 s, not 30; less is too little on a loaded shared machine
  // (clicks and screenshots of the recognizer then took over 5 s).
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
  return { page, errors };
}

/** Debian's chromium, headless, with nothing that reaches the network on its own. */
export async function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
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
      ...extraArgs,
    ],
  });
}

/** Builds the page (into a folder of this test process: test files run side by side), serves it, opens it. */
export async function openPage(options: PageOptions = {}): Promise<Session> {
  mkdirSync(artifacts, { recursive: true });
  const outDir = mkdtempSync(join(tmpdir(), 'poolkit-web-'));
  await build({ configFile, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  const server = await serve(outDir, options.isolated ?? true);
  const browser = await launchBrowser(options.browserArgs);
  const desktop = await openTab(browser, server.url, 'desktop');
  return {
    ...desktop,
    url: server.url,
    open: (screen, suffix = '') => openTab(browser, server.url + suffix, screen),
    close: async () => {
      await browser.close();
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

/**
 * A test file's page: opened before its tests (unless chromium is missing), then `ready` runs with
 * it (in the same hook: Node 20 runs a file's top-level before hooks side by side); closed after.
 */
export function pageForTests(
  options: PageOptions,
  ready: (session: Session) => void | Promise<void>,
): { session: Session } {
  const opened = {} as { session: Session };
  before(async () => {
    if (skipReason) return;
    opened.session = await openPage(options);
    await ready(opened.session);
  });
  after(() => opened.session?.close());
  return opened;
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

/** The shipped model, loaded in Node with the library, to compare the page's probabilities. */
/** The shipped seed CNN (a Sequential) loaded in Node with the library. */
export function shippedModel(): poolkit.Sequential {
  const folder = join(root, 'web/public/models/seed-cnn');
  const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')) as { weightsManifest: { file: string } };
  const weights = new Uint8Array(readFileSync(join(folder, json.weightsManifest.file)));
  const model = poolkit.modelFromArtifacts(json, weights, { model: 'model.json', weights: json.weightsManifest.file });
  if (!(model instanceof poolkit.Sequential)) throw new Error('the shipped model must be a Sequential');
  return model;
}

/** The recognizer's ten class probabilities, as its bars publish them. */
export async function pageProbabilities(page: Page): Promise<number[]> {
  return page.$$eval('#probabilities .bar-row', (rows) =>
    rows.map((row) => Number((row as HTMLElement).dataset.probability)),
  );
}

/** A 7 in one stroke, as fractions of the pad's width and height. */
const sevenStroke: readonly [number, number][] = [
  [0.35, 0.22],
  [0.65, 0.2],
  [0.6, 0.35],
  [0.5, 0.6],
  [0.42, 0.82],
];

/** Draws a stroke on the recognizer's pad with the mouse (the recognizer must be open and its model ready). */
export async function drawOnPad(page: Page, stroke = sevenStroke): Promise<void> {
  const pad = (await page.locator('#draw-pad').boundingBox())!;
  await page.mouse.move(pad.x + pad.width * stroke[0]![0], pad.y + pad.height * stroke[0]![1]);
  await page.mouse.down();
  for (const [x, y] of stroke.slice(1))
    await page.mouse.move(pad.x + pad.width * x, pad.y + pad.height * y, { steps: 6 });
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelector('#prediction')?.textContent !== '?');
}

/** Checks the page's probabilities and verdict against the shipped model run in Node on the page's input. */
export async function expectModelPrediction(page: Page): Promise<number> {
  const image = await numbersOf(page, '#mnist-preview');
  const probabilities = await pageProbabilities(page);
  const expected = poolkit.noGrad(() => shippedModel().predict(poolkit.tensor(image, [1, 28, 28, 1])));
  assertClose(probabilities, expected.values, { label: 'probabilities', absolute: 1e-4 });
  const best = probabilities.indexOf(Math.max(...probabilities));
  assert.equal(await page.textContent('#prediction'), String(best));
  return best;
}
