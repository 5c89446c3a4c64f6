// The page at a phone's size (390x844) and at a desktop's: the recognizer's prediction in view
// while one draws, an empty pad that invites drawing, and explorer cell labels that fit their cells.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  artifacts,
  drawOnPad,
  expectModelPrediction,
  numbersOf,
  pageForTests,
  screens,
  skipReason,
  type Tab,
} from './browser-harness.js';
import { field, kindMenu } from './explorer-form.js';

const skip = skipReason;
let phone: Tab;
const opened = pageForTests({}, async (session) => {
  phone = await session.open('phone');
});

/** Whether the element lies wholly inside the viewport as the page is scrolled now. */
async function inView(page: Page, selector: string): Promise<boolean> {
  const box = await page.locator(selector).boundingBox();
  const { width, height } = page.viewportSize()!;
  return box !== null && box.y >= 0 && box.x >= 0 && box.y + box.height <= height && box.x + box.width <= width;
}

async function openRecognizer(page: Page): Promise<void> {
  await page.click('#tab-recognizer');
  await page.waitForSelector('#model-status[data-state="ready"]', { timeout: 10_000 });
}

test(
  'on a phone the prediction and the whole pad share the first screen, before and while drawing',
  { skip },
  async () => {
    const { page } = phone;
    await openRecognizer(page);
    assert.equal(await page.evaluate(() => window.scrollY), 0);
    for (const selector of ['#draw-pad', '#prediction', '#probabilities']) {
      assert.ok(await inView(page, selector), `${selector} is on the first screen`);
    }
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), screens.phone.viewport.width);
    await drawOnPad(page);
    await expectModelPrediction(page);
    assert.ok((await inView(page, '#prediction')) && (await inView(page, '#draw-pad')), 'both in view after drawing');
    await page.screenshot({ path: join(artifacts, 'web-recognizer-phone.png') });
    assert.deepEqual(phone.errors, []);
  },
);

test('an empty pad says "draw a digit here"; drawing hides it, Clear brings it back', { skip }, async () => {
  for (const page of [opened.session.page, phone.page]) {
    await openRecognizer(page);
    await page.click('#clear-pad');
    assert.equal(await page.isVisible('#pad-hint'), true);
    assert.equal(await page.textContent('#pad-hint'), 'draw a digit here');
    const [hint, pad] = [await page.locator('#pad-hint').boundingBox(), await page.locator('#draw-pad').boundingBox()];
    const centre = (box: typeof hint) => [box!.x + box!.width / 2, box!.y + box!.height / 2];
    assert.deepEqual(centre(hint).map(Math.round), centre(pad).map(Math.round), 'the hint sits on the pad');
    if (page === opened.session.page) await page.screenshot({ path: join(artifacts, 'web-recognizer-empty.png') });
    else await page.screenshot({ path: join(artifacts, 'web-recognizer-empty-phone.png') });
    await drawOnPad(page);
    assert.equal(await page.isHidden('#pad-hint'), true);
    await page.click('#clear-pad');
    assert.equal(await page.isVisible('#pad-hint'), true);
    assert.equal(await page.textContent('#prediction'), '?');
  }
});

/** Labels drawn in a map's cells that overflow them, and labels that misstate their cell's value. */
async function badLabels(page: Page, map: string): Promise<{ overflowing: string[]; wrong: string[]; count: number }> {
  const values = await numbersOf(page, map);
  const { labels, size } = await page.$eval(`${map} canvas`, (canvas) => ({
    labels: JSON.parse(canvas.dataset.labels ?? '[]') as [string, string][],
    size: Number(canvas.dataset.cellSize),
  }));
  const widths = await page.evaluate((drawn) => {
    const context = document.createElement('canvas').getContext('2d')!;
    return drawn.map(([text, font]) => {
      context.font = font;
      return context.measureText(text).width;
    });
  }, labels);
  const largest = Math.max(...values.map(Math.abs));
  const wrong = labels.flatMap(([text], index) => {
    const value = values[index]!;
    // ≈0 only for what is negligible beside the largest; a number within its last shown digit.
    if (text === '≈0') return Math.abs(value) < 1e-6 * largest ? [] : [`${text} for ${value}`];
    const shown = Number(text.replace('−', '-'));
    return Math.abs(shown - value) <= 0.5 * Math.max(Math.abs(value), 1e-300) + 0.05 ? [] : [`${text} for ${value}`];
  });
  const overflowing = labels.filter((_, index) => widths[index]! > size - 2).map(([text]) => text);
  return { overflowing, wrong, count: labels.length };
}

test(
  'explorer labels fit their cells and tell the value: LSTM pooling gradients (1e-21 and such)',
  { skip },
  async () => {
    for (const [name, page] of [
      ['desktop', opened.session.page],
      ['phone', phone.page],
    ] as const) {
      await page.click('#tab-explorer');
      await page.click('[data-testid="grid-count"]');
      await page.selectOption(kindMenu, 'lstm');
      assert.equal(await page.isHidden('#explorer-error'), true, (await page.textContent('#explorer-error')) ?? '');
      const gradients = await numbersOf(page, '#gradient-map');
      assert.ok(
        gradients.some((value) => value !== 0 && Math.abs(value) < 1e-9),
        'the case of the issue: tiny gradients',
      );
      for (const map of ['#output-map', '#gradient-map']) {
        const { overflowing, wrong, count } = await badLabels(page, map);
        assert.ok(count > 0, `${name} ${map}: numbers are shown`);
        assert.deepEqual(overflowing, [], `${name} ${map}: labels wider than their cells`);
        assert.deepEqual(wrong, [], `${name} ${map}: labels that misstate their value`);
      }
      await page.locator('#gradient-map').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(artifacts, `web-explorer-lstm-${name}.png`), fullPage: name === 'phone' });
    }
  },
);

test('the explorer at phone width: no sideways scrolling, maps within the screen', { skip }, async () => {
  const { page } = phone;
  await page.click('#tab-explorer');
  await page.click('#view-explorer .digit[data-digit="7"]');
  await page.selectOption(kindMenu, 'max');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), screens.phone.viewport.width);
  for (const map of ['#input-map', '#output-map', '#gradient-map']) {
    const box = (await page.locator(`${map} canvas`).boundingBox())!;
    assert.ok(box.x >= 0 && box.x + box.width <= screens.phone.viewport.width, `${map} fits the width`);
  }
  await page.screenshot({ path: join(artifacts, 'web-explorer-phone.png'), fullPage: true });
  assert.deepEqual(phone.errors, []);
});

test('the option form at phone width: every field within the screen, explicit padding included', { skip }, async () => {
  const { page } = phone;
  await page.click('#tab-explorer');
  await page.selectOption(kindMenu, 'stochastic');
  await page.selectOption(field('padding'), 'explicit');
  const boxes = await page.$$eval('#option-fields input, #option-fields select', (nodes) =>
    nodes
      .filter((node) => (node as HTMLElement).checkVisibility())
      .map((node) => {
        const box = node.getBoundingClientRect();
        return { id: node.id, left: box.left, right: box.right };
      }),
  );
  assert.ok(boxes.length >= 12, `${boxes.length} fields shown`);
  for (const box of boxes)
    assert.ok(box.left >= 0 && box.right <= screens.phone.viewport.width, `${box.id} lies within the screen`);
  await page.locator('.options-panel').screenshot({ path: join(artifacts, 'web-explorer-form-phone.png') });
  await page.selectOption(field('padding'), 'valid');
  assert.deepEqual(phone.errors, []);
});
