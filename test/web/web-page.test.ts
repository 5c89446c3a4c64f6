// End-to-end tests of the web demo in chromium: the explorer offers the registry's kinds with their
// options, its numbers equal the library's in Node for the same input and options, errors read
// well, and a drawn digit is classified as the model does in Node.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import * as poolkit from '../../src/index.js';
import { fieldIds } from '../../web/src/field-ids.js';
import { demoValues, explorableKinds } from '../../web/src/pool-kinds.js';
import { assertClose } from '../helpers/assert-close.js';
import {
  artifacts,
  drawOnPad,
  expectModelPrediction,
  numbersOf,
  pageForTests,
  shippedDigit,
  shippedModel,
  skipReason,
} from './browser-harness.js';
import {
  axis,
  configure,
  field,
  inNode,
  kindMenu,
  offeredKinds,
  setField,
  shownValues,
  side,
} from './explorer-form.js';

const skip = skipReason;
let page: Page;
const opened = pageForTests({}, (session) => {
  page = session.page;
});

const defaults = {
  [axis('kernelSize', 'height')]: '2',
  [axis('kernelSize', 'width')]: '2',
  [axis('stride', 'height')]: '2',
  [axis('stride', 'width')]: '2',
  [axis('dilation', 'height')]: '1',
  [axis('dilation', 'width')]: '1',
  [field('padding')]: 'valid',
};

/** The registry's kinds the explorer must offer: a rank-2 op, or sequence kinds (over the image's rows). */
const explorable = poolkit.poolingKinds.filter((kind) => kind.ranks.includes(2) || kind.example !== undefined);

test('the page loads with the explorer ready, a backend named, and no console errors', { skip }, async () => {
  assert.equal(await page.isVisible('#view-explorer'), true);
  const badge = (await page.textContent('#backend')) ?? '';
  const expected = poolkit.listBackends().includes('wasm') ? 'wasm · \\d+ threads?' : 'reference';
  assert.match(badge, new RegExp(`^backend: ${expected}$`));
  assert.equal(await page.getAttribute('#backend', 'data-isolated'), 'true', 'served with COOP/COEP');
  assert.equal(await page.isHidden('#fatal'), true);
  assert.deepEqual(opened.session.errors, []);
});

test('the offered kinds are exactly the registry’s explorable kinds, with their docs and op', { skip }, async () => {
  const offered = await offeredKinds(page);
  assert.deepEqual(
    offered,
    explorable.map((kind) => kind.name),
  );
  for (const name of ['max', 'min', 'lstm', 'masked', 'maxUnpool', 'spatialPyramid'])
    assert.ok(offered.includes(name), `${name} is offered`);
  const labels = await page.$$eval(`${kindMenu} option`, (options) => options.map((option) => option.textContent));
  assert.deepEqual(
    labels,
    explorable.map((kind) => kind.docs.label),
  );
  for (const kind of explorable) {
    await page.selectOption(kindMenu, kind.name);
    const rank = kind.ranks.includes(2) ? 2 : kind.ranks[0]!;
    assert.equal(await page.textContent('#kind-function'), `${kind.opName(rank)}()`);
    assert.equal(await page.textContent('#kind-summary'), kind.docs.summary);
    assert.equal(await page.textContent('#kind-formula'), kind.docs.formula);
  }
});

test(
  'the form shows one field per option the chosen kind’s schema gives a field, with ids by name',
  { skip },
  async () => {
    for (const kind of explorable) {
      await page.selectOption(kindMenu, kind.name);
      if (kind.options.some((spec) => spec.name === 'padding' && spec.field))
        await page.selectOption(field('padding'), 'valid');
      const expected = kind.options.flatMap((spec) =>
        spec.field === undefined
          ? []
          : spec.field.type === 'pair'
            ? [fieldIds.axis(spec.name, 'height'), fieldIds.axis(spec.name, 'width')]
            : [fieldIds.value(spec.name)],
      );
      const visible = await page.$$eval('#option-fields input, #option-fields select', (nodes) =>
        nodes.filter((node) => (node as HTMLElement).checkVisibility()).map((node) => node.id),
      );
      assert.deepEqual(visible.sort(), expected.sort(), kind.name);
    }
  },
);

test('the form fits its sidebar panel at desktop width, explicit padding included', { skip }, async () => {
  for (const kind of explorable) {
    await page.selectOption(kindMenu, kind.name);
    const padded = kind.options.some((spec) => spec.name === 'padding' && spec.field);
    if (padded) await page.selectOption(field('padding'), 'explicit');
    const outside = await page.$eval('.options-panel', (panel) => {
      // The workspace starts where the sidebar's 300-pixel column ends (plus the gap).
      const edge = document.querySelector('.workspace')!.getBoundingClientRect().left;
      return [panel, ...Array.from(panel.querySelectorAll('input, select'))]
        .filter((node) => (node as HTMLElement).checkVisibility() && node.getBoundingClientRect().right > edge)
        .map((node) => node.id || node.className);
    });
    assert.deepEqual(outside, [], `${kind.name}: reaching into the workspace`);
    if (padded) await page.selectOption(field('padding'), 'valid');
  }
  await page.selectOption(kindMenu, 'max');
});

/** Every offered kind, its fields set to their demo values through the form, against Node. */
async function checkEveryKind(image: number[], shape: number[]): Promise<void> {
  for (const kind of explorableKinds()) {
    await page.selectOption(kindMenu, kind.name);
    for (const spec of kind.fields) await setField(page, spec, spec.field.demo);
    const values = demoValues(kind);
    assert.deepEqual(await shownValues(page), values, `${kind.name}: the form reads back its demo values`);
    assert.equal(
      await page.isHidden('#explorer-error'),
      true,
      `${kind.name}: ${await page.textContent('#explorer-error')}`,
    );
    const expected = inNode(kind, image, shape, values);
    assertClose(await numbersOf(page, '#output-map'), expected.output, { label: `${kind.name} output` });
    const indices = await page.getAttribute('#output-map', 'data-indices');
    assert.deepEqual(indices ? JSON.parse(indices) : null, expected.indices, `${kind.name} indices`);
    assertClose(await numbersOf(page, '#gradient-map'), expected.gradient, { label: `${kind.name} gradient` });
  }
}

test('every offered kind gives the output, indices and gradient the library gives in Node', { skip }, async () => {
  await page.click('[data-testid="grid-count"]');
  await checkEveryKind(
    Array.from({ length: 36 }, (_, index) => index + 1),
    [1, 6, 6, 1],
  );
  await page.click('#view-explorer .digit[data-digit="7"]');
  await checkEveryKind(Array.from(shippedDigit(7)), [1, 28, 28, 1]);
  await page.selectOption(kindMenu, 'max');
});

test('max pooling on MNIST digit 7: output, argmax and gradient equal the library in Node', { skip }, async () => {
  await page.click('#view-explorer .digit[data-digit="7"]');
  await configure(page, 'max', {
    ...defaults,
    [axis('kernelSize', 'height')]: '3',
    [axis('kernelSize', 'width')]: '3',
    [field('padding')]: 'same',
  });
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
  const explicit = {
    [field('padding')]: 'explicit',
    [side('padding', 'top')]: '1',
    [side('padding', 'bottom')]: '1',
    [side('padding', 'left')]: '1',
  };
  const kernel3 = { [axis('kernelSize', 'height')]: '3', [axis('kernelSize', 'width')]: '3' };
  const cases: [string, Record<string, string>, Record<string, boolean>, () => poolkit.Tensor][] = [
    ['max', defaults, { [field('ceilMode')]: false }, () => poolkit.maxPool2d(input, { kernelSize: 2 })],
    [
      'max',
      { ...defaults, ...explicit, ...kernel3, [side('padding', 'right')]: '0' },
      { [field('ceilMode')]: true },
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
      'average',
      { ...defaults, ...explicit, ...kernel3, [axis('stride', 'height')]: '1', [side('padding', 'right')]: '1' },
      { [field('ceilMode')]: false, [field('countIncludePad')]: false },
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
      'lp',
      { ...defaults, [axis('dilation', 'height')]: '2', [field('p')]: '3' },
      {},
      () => poolkit.lpPool2d(input, { kernelSize: 2, stride: 2, dilation: [2, 1], p: 3 }),
    ],
  ];
  let previous = '';
  for (const [kind, fields, checks, expected] of cases) {
    await configure(page, kind, fields, checks);
    assert.equal(await page.isHidden('#explorer-error'), true, `${kind}: ${await page.textContent('#explorer-error')}`);
    const values = await numbersOf(page, '#output-map');
    assertClose(values, expected().values, { label: `${kind} ${JSON.stringify(fields)}` });
    assert.notEqual(JSON.stringify(values), previous, 'each change of options changes the output');
    previous = JSON.stringify(values);
  }
  await page.screenshot({ path: join(artifacts, 'web-explorer-form.png') });
});

test('bad options show the library’s PoolkitArgumentError message, and the page recovers', { skip }, async () => {
  await page.click('#view-explorer .digit[data-digit="3"]');
  await configure(page, 'max', { ...defaults, [axis('kernelSize', 'height')]: '40' });
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
  await page.fill(axis('kernelSize', 'height'), '2');
  assert.equal(await page.isHidden('#explorer-error'), true);
  assert.deepEqual(opened.session.errors, []);
});

test(
  'stepping moves the window; clicking an output cell selects its window; cells are editable',
  { skip },
  async () => {
    await page.click('[data-testid="grid-count"]');
    await configure(page, 'max', defaults);
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

test('drawing a digit with the mouse gives the prediction the model gives in Node', { skip }, async () => {
  await page.click('#tab-recognizer');
  await page.waitForSelector('#model-status[data-state="ready"]', { timeout: 10_000 });
  await drawOnPad(page);
  await expectModelPrediction(page);
  const model = shippedModel();
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
  assert.deepEqual(opened.session.errors, []);
});
