// The training report (report.html, as `poolkit train` writes it) in chromium at desktop and phone
// width: curves and feature maps within the page's width, and a one-epoch run shown as what it is.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { EpochRecord } from '../../src/report/curves-svg.js';
import { loadMnist } from '../../src/io/node.js';
import { writeTrainingReport } from '../../src/report/write-report.js';
import { artifacts, launchBrowser, screens, shippedModel, skipReason } from './browser-harness.js';

const skip = skipReason;
const folder = mkdtempSync(join(tmpdir(), 'poolkit-report-'));
let browser: Browser | null = null;
const reports = new Map<number, string>();

function history(epochs: number): EpochRecord[] {
  return Array.from({ length: epochs }, (_, index) => ({
    epoch: index + 1,
    loss: 0.3 / (index + 1),
    accuracy: 0.915 + 0.012 * index,
    validationLoss: 0.27 / (index + 1),
    validationAccuracy: 0.932 + 0.01 * index,
    seconds: 10,
  }));
}

before(async () => {
  if (skip) return;
  const test = await loadMnist('test', { limit: 20 });
  for (const epochs of [1, 5]) {
    const out = join(folder, `run-${epochs}`);
    const meta = { title: `seed_cnn, ${epochs} epochs`, facts: ['Test accuracy: 93.20%'] };
    reports.set(epochs, (await writeTrainingReport(out, shippedModel(), history(epochs), test, meta)).report);
  }
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  rmSync(folder, { recursive: true, force: true });
});

async function open(epochs: number, screen: keyof typeof screens): Promise<Page> {
  const page = await (await browser!.newContext(screens[screen])).newPage();
  await page.goto(pathToFileURL(reports.get(epochs)!).href);
  return page;
}

test('the report fits a phone: no sideways scrolling, curves and maps within the width', { skip }, async () => {
  for (const epochs of [1, 5]) {
    for (const screen of ['desktop', 'phone'] as const) {
      const page = await open(epochs, screen);
      const width = screens[screen].viewport.width;
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), width, `${epochs} ${screen}`);
      const boxes = await page.$$eval('svg, img', (nodes) =>
        nodes.map((node) => node.getBoundingClientRect()).map(({ left, right }) => ({ left, right })),
      );
      assert.ok(boxes.length >= 2);
      for (const box of boxes) assert.ok(box.left >= 0 && box.right <= width, `${screen}: ${JSON.stringify(box)}`);
      const curves = await page.$$eval('svg', (nodes) => nodes.map((node) => node.getBoundingClientRect().width));
      assert.ok(Math.min(...curves) >= Math.min(width - 24, 440) - 1, `curves readable, not shrunk: ${curves}`);
      const file = `report-${epochs === 1 ? '1-epoch' : `${epochs}-epochs`}-${screen}.png`;
      await page.screenshot({ path: join(artifacts, file), fullPage: screen === 'desktop' });
      await page.context().close();
    }
  }
});

test('after one epoch each panel says "1 epoch" and draws and labels one point per curve', { skip }, async () => {
  const page = await open(1, 'phone');
  const panels = await page.$$eval('svg', (nodes) =>
    nodes.map((svg) => {
      const frame = svg.querySelector('rect[fill="none"]')!.getBoundingClientRect();
      const centre = frame.left + frame.width / 2;
      const texts = Array.from(svg.querySelectorAll('text')).map((text) => text.textContent ?? '');
      const points = Array.from(svg.querySelectorAll('circle')).map((circle) => {
        const box = circle.getBoundingClientRect();
        const inside = box.top > frame.top && box.bottom < frame.bottom;
        return { offCentre: Math.abs(box.left + box.width / 2 - centre), inside, width: box.width };
      });
      return { texts, points };
    }),
  );
  assert.equal(panels.length, 2);
  for (const [index, { texts, points }] of panels.entries()) {
    assert.ok(texts.includes('1 epoch, so one point per curve'), texts.join(' | '));
    assert.equal(points.length, 2, 'a point per curve');
    for (const point of points) {
      assert.ok(point.offCentre < 1 && point.inside, JSON.stringify(point));
      assert.ok(point.width >= 6, 'large enough to see');
    }
    const labels = index === 0 ? ['training 0.3000', 'validation 0.2700'] : ['training 91.50%', 'validation 93.20%'];
    for (const label of labels) assert.ok(texts.includes(label), `${label} in ${texts.join(' | ')}`);
  }
  await page.context().close();
});
