// The built page on a plain static host, without the cross-origin isolation headers: there is no
// SharedArrayBuffer global, so WebAssembly runs on one thread; both views must still work, and the
// badge must say they run single-threaded.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import * as poolkit from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import {
  artifacts,
  drawOnPad,
  expectModelPrediction,
  numbersOf,
  pageForTests,
  shippedDigit,
  skipReason,
} from './browser-harness.js';
import { kindMenu } from './explorer-form.js';

const skip = skipReason;
let page: Page;
const opened = pageForTests({ isolated: false }, (session) => {
  page = session.page;
});

test('without COOP/COEP the page is not isolated, and the badge says wasm runs single-threaded', { skip }, async () => {
  assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), false);
  assert.equal(await page.evaluate(() => typeof globalThis.SharedArrayBuffer), 'undefined');
  const expected = poolkit.listBackends().includes('wasm') ? 'backend: wasm · single-threaded' : 'backend: reference';
  assert.equal(await page.textContent('#backend'), expected);
  assert.equal(await page.getAttribute('#backend', 'data-isolated'), 'false');
  assert.match((await page.getAttribute('#backend', 'title')) ?? '', /no COOP\/COEP headers.*one thread/);
});

test('the explorer pools MNIST digit 7 and its gradient as the library does in Node', { skip }, async () => {
  await page.click('#view-explorer .digit[data-digit="7"]');
  await page.selectOption(kindMenu, 'max');
  assert.equal(await page.isHidden('#explorer-error'), true, (await page.textContent('#explorer-error')) ?? '');
  const input = poolkit.requireGrad(poolkit.tensor(shippedDigit(7), [1, 28, 28, 1]));
  const output = poolkit.maxPool2d(input, { kernelSize: 2 });
  poolkit.backward(output, poolkit.ones(output.shape));
  assert.deepEqual(await numbersOf(page, '#output-map'), Array.from(output.values));
  assertClose(await numbersOf(page, '#gradient-map'), input.grad!.values, { label: 'gradient' });
  await page.screenshot({ path: join(artifacts, 'web-static-explorer.png'), fullPage: true });
  assert.deepEqual(opened.session.errors, []);
});

test('the recognizer classifies a drawn digit and the shipped digits as the model does in Node', { skip }, async () => {
  await page.click('#tab-recognizer');
  await page.waitForSelector('#model-status[data-state="ready"]', { timeout: 10_000 });
  await drawOnPad(page);
  await expectModelPrediction(page);
  for (const digit of [0, 3, 9]) {
    await page.click(`#recognizer-samples .digit[data-digit="${digit}"]`);
    assert.equal(await expectModelPrediction(page), digit);
  }
  await page.screenshot({ path: join(artifacts, 'web-static-recognizer.png'), fullPage: true });
  assert.equal(await page.isHidden('#fatal'), true);
  assert.deepEqual(opened.session.errors, []);
});

test('on a phone, both views work on the static host too', { skip }, async () => {
  const phone = await opened.session.open('phone', '#recognizer');
  await phone.page.waitForSelector('#model-status[data-state="ready"]', { timeout: 10_000 });
  await phone.page.click('#recognizer-samples .digit[data-digit="4"]');
  assert.equal(await expectModelPrediction(phone.page), 4);
  await phone.page.screenshot({ path: join(artifacts, 'web-static-recognizer-phone.png') });
  await phone.page.click('#tab-explorer');
  await phone.page.click('#view-explorer .digit[data-digit="2"]');
  assert.equal((await numbersOf(phone.page, '#output-map')).length, 14 * 14);
  await phone.page.screenshot({ path: join(artifacts, 'web-static-explorer-phone.png'), fullPage: true });
  assert.deepEqual(phone.errors, []);
});
