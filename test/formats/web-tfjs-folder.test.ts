// The web recognizer loads a TensorFlow.js layers-format folder (model.json and its shards) as it
// loads a poolkit one: the shipped seed CNN exported to TF.js, picked as files, predicts a drawn
// digit exactly as the library does in Node.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Page } from 'playwright-core';
import { saveTfjsModel } from '../../src/io/node.js';
import { drawOnPad, expectModelPrediction, pageForTests, shippedModel, skipReason } from '../web/browser-harness.js';

const folder = mkdtempSync(join(tmpdir(), 'poolkit-web-tfjs-'));
after(() => rmSync(folder, { recursive: true, force: true }));
let page: Page;
const opened = pageForTests({}, (session) => {
  page = session.page;
});

test(
  'a TensorFlow.js model folder picked in the recognizer predicts as the library does',
  { skip: skipReason },
  async () => {
    await saveTfjsModel(shippedModel(), folder);
    await page.click('#tab-recognizer');
    await page.waitForSelector('#model-status[data-state="ready"]', { timeout: 10_000 });
    await page.setInputFiles(
      '#model-files',
      readdirSync(folder).map((name) => join(folder, name)),
    );
    await page.waitForFunction(
      () => document.querySelector('#model-status')?.textContent?.startsWith('model.json'),
      undefined,
      { timeout: 10_000 },
    );
    assert.equal(await page.getAttribute('#model-status', 'data-state'), 'ready');
    await drawOnPad(page);
    await expectModelPrediction(page);
    assert.deepEqual(opened.session.errors, []);
  },
);
