// End-to-end tests of the web demo in chromium: the page's numbers must equal the library's in
// Node for the same input and options, errors must read well, and a drawn digit must be classified.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import * as poolkit from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { artifacts, numbersOf, openPage, root, shippedDigit, skipReason, type Session } from './browser-harness.js';

const skip = skipReason;
let session: Session | null = null;
let page: Page;

before(async () => {
  if (skip) return;
  session = await openPage();
  page = session.page;
});

after(async () => {
  await session?.close();
});

/** Sets the explorer's controls: the kind, then fields by id (selects and inputs), then checkboxes. */
async function configure(kind: string, fields: Record<string, string> = {}, checks: Record<string, boolean> = {}) {
  await page.selectOption('#pool-kind', kind);
  for (const [id, value] of Object.entries(fields)) {
    const isSelect = await page.$eval(`#${id}`, (node) => node.tagName === 'SELECT');
    if (isSelect) await page.selectOption(`#${id}`, value);
    else await page.fill(`#${id}`, value);
  }
  for (const [id, checked] of Object.entries(checks)) await page.setChecked(`#${id}`, checked);
}

const defaults = {
  'kernel-height': '2',
  'kernel-width': '2',
  'stride-height': '2',
  'stride-width': '2',
  'dilation-height': '1',
  'dilation-width': '1',
  'padding-mode': 'valid',
};

test('the page loads with the explorer ready, a backend named, and no console errors', { skip }, async () => {
  assert.equal(await page.isVisible('#view-explorer'), true);
  const badge = (await page.textContent('#backend')) ?? '';
  const expected = poolkit.listBackends().includes('wasm') ? 'wasm' : 'reference';
  assert.match(badge, new RegExp(`^backend: ${expected}( · \\d+ threads)?$`));
  assert.equal(await page.isHidden('#fatal'), true);
  assert.deepEqual(session!.errors, []);
});

test('every pooling kind the library exports is offered (2D form, else its only form)', { skip }, async () => {
  const offered = await page.$$eval('#pool-kind option', (options) =>
    options.map((option) => (option as HTMLOptionElement).value),
  );
  const api = poolkit as unknown as Record<string, unknown>;
  // Fused ops ending in a pool (conv2dMaxPool2d) need a filter: they are not pooling kinds.
  const functions = Object.keys(api).filter(
    (name) =>
      /^[a-z]\w*(Pool|Unpool|Pooling)(1d|2d|3d)?$/.test(name) &&
      !name.startsWith('conv') &&
      typeof api[name] === 'function',
  );
  const byStem = new Map<string, string[]>();
  for (const name of functions)
    byStem.set(name.replace(/[123]d$/, ''), [...(byStem.get(name.replace(/[123]d$/, '')) ?? []), name]);
  const expected = [...byStem.values()].map((names) => names.find((name) => !/[13]d$/.test(name)) ?? names[0]!);
  assert.ok(expected.includes('maxPool2d') && expected.length >= 9, `found ${expected.join(', ')}`);
  assert.deepEqual([...offered].sort(), [...expected].sort());
});

test('max pooling on MNIST digit 7: output, argmax and gradient equal the library in Node', { skip }, async () => {
  await page.click('#view-explorer .digit[data-digit="7"]');
  await configure('maxPool2d', { ...defaults, 'kernel-height': '3', 'kernel-width': '3', 'padding-mode': 'same' });
  const input = poolkit.requireGrad(poolkit.tensor(shippedDigit(7), [1, 28, 28, 1]));
  const { output, indices } = poolkit.maxPool2d(input, {
    kernelSize: 3,
    stride: 2,
    padding: 'same',
    returnIndices: true,
  });
  poolkit.backward(output, poolkit.ones(output.shape));
  assert.equal(await page.getAttribute('#output-map', 'data-shape'), '14,14');
  assert.deepEqual(await numbersOf(page, '#output-map'), Array.from(output.values));
  assert.deepEqual(await numbersOf(page, '#output-map', 'data-indices'), Array.from(indices.intValues));
  assertClose(await numbersOf(page, '#gradient-map'), input.grad!.values, { label: 'gradient' });
  assert.match((await page.textContent('#formula')) ?? '', /SAME: ceil\(28 \/ 2\) = 14/);
  await page.screenshot({ path: join(artifacts, 'web-explorer.png'), fullPage: true });
});

test('changing window options changes the output to what the library computes', { skip }, async () => {
  await page.click('[data-testid="grid-count"]');
  const input = poolkit.tensor(
    Array.from({ length: 36 }, (_, index) => index + 1),
    [1, 6, 6, 1],
  );
  const explicit = { 'padding-mode': 'explicit', 'pad-top': '1', 'pad-bottom': '1', 'pad-left': '1' };
  const cases: [string, Record<string, string>, Record<string, boolean>, () => poolkit.Tensor][] = [
    ['maxPool2d', defaults, {}, () => poolkit.maxPool2d(input, { kernelSize: 2 })],
    [
      'maxPool2d',
      { ...defaults, ...explicit, 'kernel-height': '3', 'kernel-width': '3', 'pad-right': '0' },
      { 'ceil-mode': true },
      () =>
        poolkit.maxPool2d(input, {
          kernelSize: 3,
          stride: 2,
          padding: [
            [1, 1],
            [1, 0],
          ],
          ceilMode: true,
        }),
    ],
    [
      'avgPool2d',
      { ...defaults, ...explicit, 'kernel-height': '3', 'kernel-width': '3', 'stride-height': '1', 'pad-right': '1' },
      { 'ceil-mode': false, 'count-include-pad': false },
      () =>
        poolkit.avgPool2d(input, {
          kernelSize: 3,
          stride: [1, 2],
          padding: [
            [1, 1],
            [1, 1],
          ],
          countIncludePad: false,
        }),
    ],
    [
      'lpPool2d',
      { ...defaults, 'dilation-height': '2', 'option-p': '3' },
      {},
      () => poolkit.lpPool2d(input, { kernelSize: 2, stride: 2, dilation: [2, 1], p: 3 }),
    ],
  ];
  let previous = '';
  for (const [kind, fields, checks, expected] of cases) {
    await configure(kind, fields, checks);
    assert.equal(await page.isHidden('#explorer-error'), true, `${kind}: ${await page.textContent('#explorer-error')}`);
    const values = await numbersOf(page, '#output-map');
    assertClose(values, expected().values, { label: `${kind} ${JSON.stringify(fields)}` });
    assert.notEqual(JSON.stringify(values), previous, 'each change of options changes the output');
    previous = JSON.stringify(values);
  }
});

/** Every kind with the page's default options on the 6x6 grid 1..36, computed in Node. */
function expectations(input: poolkit.Tensor): Record<string, () => poolkit.Tensor> {
  const window = { kernelSize: 2 };
  const pooledWithIndices = () => poolkit.maxPool2d(input, { kernelSize: 2, returnIndices: true });
  return {
    maxPool2d: () => poolkit.maxPool2d(input, window),
    avgPool2d: () => poolkit.avgPool2d(input, { ...window, countIncludePad: false }),
    lpPool2d: () => poolkit.lpPool2d(input, { ...window, p: 2 }),
    adaptiveMaxPool2d: () => poolkit.adaptiveMaxPool2d(input, { outputSize: [4, 3] }),
    adaptiveAvgPool2d: () => poolkit.adaptiveAvgPool2d(input, { outputSize: [4, 3] }),
    globalMaxPool: () => poolkit.globalMaxPool(input),
    globalAvgPool: () => poolkit.globalAvgPool(input),
    globalLpPool: () => poolkit.globalLpPool(input, { p: 2 }),
    maxUnpool2d: () => {
      const { output, indices } = pooledWithIndices();
      return poolkit.maxUnpool2d(output, indices, { kernelSize: 2, outputSize: [6, 6] });
    },
    stochasticPool2d: () => poolkit.stochasticPool2d(input, { ...window, training: true, seed: 7 }),
    randomPool2d: () => poolkit.randomPool2d(input, { ...window, training: true, seed: 7 }),
    mixedPool2d: () => poolkit.mixedPool2d(input, poolkit.tensor([0.5]), window),
    gatedPool2d: () => poolkit.gatedPool2d(input, poolkit.full([4], 0.5), window),
    lstmPool2d: () => poolkit.lstmPool2d(input, poolkit.initLstmPoolWeights(1, 1, 7), window),
    fractionalMaxPool2d: () => poolkit.fractionalMaxPool2d(input, { outputSize: [4, 3], kernelSize: 2, seed: 7 }),
    spatialPyramidPool: () => poolkit.spatialPyramidPool(input, { levels: [1, 2, 4], mode: 'max' }),
    maskedPool1d: () => poolkit.maskedPool1d(input.reshape([6, 6, 1]), { lengths: [4, 4, 4, 4, 4, 4], mode: 'max' }),
  };
}

test('every offered kind gives, with default options, exactly what the library gives in Node', { skip }, async () => {
  await page.click('[data-testid="grid-count"]');
  await configure('maxPool2d', defaults, { 'ceil-mode': false });
  await configure('adaptiveAvgPool2d', { 'output-size-height': '4', 'output-size-width': '3' });
  await configure('lpPool2d', { 'option-p': '2' });
  const input = poolkit.tensor(
    Array.from({ length: 36 }, (_, index) => index + 1),
    [1, 6, 6, 1],
  );
  const expected = expectations(input);
  const kinds = await page.$$eval('#pool-kind option', (options) =>
    options.map((option) => (option as HTMLOptionElement).value),
  );
  for (const kind of kinds) {
    assert.ok(kind in expected, `the test has no expectation for '${kind}': add one`);
    await page.selectOption('#pool-kind', kind);
    assert.equal(await page.isHidden('#explorer-error'), true, `${kind}: ${await page.textContent('#explorer-error')}`);
    assertClose(await numbersOf(page, '#output-map'), expected[kind]!().values, { label: kind, relative: 1e-5 });
    assert.ok((await numbersOf(page, '#gradient-map')).length === 36, `${kind}: a gradient for every input cell`);
  }
  await page.selectOption('#pool-kind', 'maxPool2d');
});

test('bad options show the library’s PoolkitArgumentError message, and the page recovers', { skip }, async () => {
  await page.click('#view-explorer .digit[data-digit="3"]');
  await configure('maxPool2d', { ...defaults, 'kernel-height': '40' });
  const message = ((): string => {
    try {
      poolkit.maxPool2d(poolkit.zeros([1, 28, 28, 1]), { kernelSize: [40, 2], stride: 2, padding: 'valid' });
      return '';
    } catch (error) {
      assert.ok(error instanceof poolkit.PoolkitArgumentError);
      return error.message;
    }
  })();
  assert.ok(message.startsWith('maxPool2d: kernelSize'));
  assert.equal(await page.isVisible('#explorer-error'), true);
  assert.equal(await page.textContent('#explorer-error'), message);
  assert.equal(await page.isVisible('#input-map canvas'), true, 'the input stays on screen');
  await page.screenshot({ path: join(artifacts, 'web-explorer-error.png') });
  await page.fill('#kernel-height', '2');
  assert.equal(await page.isHidden('#explorer-error'), true);
  assert.deepEqual(session!.errors, []);
});

test(
  'stepping moves the window; clicking an output cell selects its window; cells are editable',
  { skip },
  async () => {
    await page.click('[data-testid="grid-count"]');
    await configure('maxPool2d', defaults);
    await page.click('#step-forward');
    assert.equal(await page.getAttribute('.player', 'data-step'), '1');
    assert.match((await page.textContent('#window-story')) ?? '', /output\[0, 1\] = 10 .*argmax input\[1, 3\]/);
    const output = (await page.locator('#output-map canvas').boundingBox())!;
    await page.mouse.click(output.x + output.width * 0.5, output.y + output.height * 0.9);
    assert.equal(await page.getAttribute('.player', 'data-step'), '7');
    const input = (await page.locator('#input-map canvas').boundingBox())!;
    await page.mouse.click(input.x + input.width * (0.5 / 6), input.y + input.height * (0.5 / 6));
    await page.fill('#cell-editor', '100');
    await page.press('#cell-editor', 'Enter');
    assert.equal((await numbersOf(page, '#output-map'))[0], 100, 'the edited cell is the new maximum of window 0');
  },
);

/** The shipped model, loaded in Node with the library, to compare the page's probabilities. */
function shippedModel(): poolkit.LayersModel {
  const folder = join(root, 'web/public/models/seed-cnn');
  const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')) as { weightsManifest: { file: string } };
  const weights = new Uint8Array(readFileSync(join(folder, json.weightsManifest.file)));
  return poolkit.modelFromArtifacts(json, weights, { model: 'model.json', weights: json.weightsManifest.file });
}

async function pageProbabilities(): Promise<number[]> {
  return page.$$eval('#probabilities .bar-row', (rows) =>
    rows.map((row) => Number((row as HTMLElement).dataset.probability)),
  );
}

test('drawing a digit with the mouse gives the prediction the model gives in Node', { skip }, async () => {
  await page.click('#tab-recognizer');
  await page.waitForSelector('#model-status[data-state="ready"]', { timeout: 10_000 });
  const pad = (await page.locator('#draw-pad').boundingBox())!;
  const stroke: [number, number][] = [
    [0.35, 0.22],
    [0.65, 0.2],
    [0.6, 0.35],
    [0.5, 0.6],
    [0.42, 0.82],
  ];
  await page.mouse.move(pad.x + pad.width * stroke[0]![0], pad.y + pad.height * stroke[0]![1]);
  await page.mouse.down();
  for (const [x, y] of stroke.slice(1))
    await page.mouse.move(pad.x + pad.width * x, pad.y + pad.height * y, { steps: 6 });
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelector('#prediction')?.textContent !== '?');
  const image = await numbersOf(page, '#mnist-preview');
  const probabilities = await pageProbabilities();
  const model = shippedModel();
  const expected = poolkit.noGrad(() => model.predict(poolkit.tensor(image, [1, 28, 28, 1])));
  assertClose(probabilities, expected.values, { label: 'probabilities', absolute: 1e-4 });
  const best = probabilities.indexOf(Math.max(...probabilities));
  assert.equal(await page.textContent('#prediction'), String(best));
  const poolingLayers = model.layers.filter(
    (layer) => /pool/i.test(layer.className) && layer.computeOutputShape(layer.builtInputShape!).length === 4,
  );
  assert.equal(await page.locator('#feature-maps .stage-pair').count(), poolingLayers.length);
  await page.screenshot({ path: join(artifacts, 'web-recognizer.png'), fullPage: true });
});

test('the shipped MNIST test digits, painted on the pad, are mostly recognised', { skip }, async () => {
  let correct = 0;
  for (let digit = 0; digit < 10; digit++) {
    await page.click(`#recognizer-samples .digit[data-digit="${digit}"]`);
    if ((await page.textContent('#prediction')) === String(digit)) correct++;
  }
  assert.ok(correct >= 8, `${correct} of 10 shipped digits recognised`);
  assert.deepEqual(session!.errors, []);
});
