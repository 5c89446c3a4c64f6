// The page on WebGPU in headless chromium (a SwiftShader adapter, WEBGPU_FLAGS): the explorer and
// the recognizer run in the page's compute worker on the webgpu backend and give the numbers the
// same page gives on wasm (bit for bit where GPU_BOUNDS say so, else within them); wasm stays the
// default. Skipped, saying why, where chromium or its WebGPU adapter is missing.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { GPU_BOUNDS } from '../../src/kernels/webgpu/gpu-kernels.js';
import { demoValues, explorableKinds } from '../../web/src/pool-kinds.js';
import { assertClose } from '../helpers/assert-close.js';
import {
  artifacts,
  drawOnPad,
  expectModelPrediction,
  numbersOf,
  pageForTests,
  pageProbabilities,
  skipReason,
  WEBGPU_FLAGS,
  type Tab,
} from './browser-harness.js';
import { axis, configure, kindMenu, setField, shownValues } from './explorer-form.js';

const skip = skipReason;
let wasm: Tab;
let gpu: Tab;
/** Why the page offers no webgpu here (no adapter), else null. */
let noAdapter: string | null = null;
pageForTests({ browserArgs: WEBGPU_FLAGS }, async (session) => {
  wasm = session;
  const offered = await session.page.getAttribute('#backend-choice', 'data-webgpu');
  if (offered !== 'available') {
    noAdapter = `chromium offers no WebGPU adapter here: ${await session.page.getAttribute('#backend-choice', 'title')}`;
    return;
  }
  gpu = await session.open('desktop', '?backend=webgpu');
});

/** Skips a test, saying why, where the page offers no webgpu. */
function needsAdapter(t: TestContext): boolean {
  if (noAdapter !== null) t.skip(noAdapter);
  return noAdapter === null;
}

/** Waits until the page's views hold the answer to the last change (the worker answers later). */
async function settled(page: Page): Promise<void> {
  await page.waitForSelector('.explorer:not([data-busy])', { state: 'attached', timeout: 120_000 });
  await page.waitForSelector('.recognizer:not([data-busy])', { state: 'attached', timeout: 120_000 });
}

async function gpuCalls(page: Page): Promise<Record<string, number>> {
  return JSON.parse((await page.getAttribute('#backend', 'data-gpu-calls')) ?? '{}') as Record<string, number>;
}

/** The explorer's output, indices and gradient as the page publishes them. */
async function explorerNumbers(page: Page) {
  await settled(page);
  const indices = await page.getAttribute('#output-map', 'data-indices');
  const error = (await page.isHidden('#explorer-error')) ? '' : await page.textContent('#explorer-error');
  return {
    error,
    output: await numbersOf(page, '#output-map'),
    indices: indices ? (JSON.parse(indices) as number[]) : null,
    gradient: (await page.getAttribute('#gradient-map', 'data-values')) ? await numbersOf(page, '#gradient-map') : [],
  };
}

test('wasm is the default; ?backend=webgpu runs the page in a worker on the adapter', { skip }, async (t) => {
  assert.match((await wasm.page.textContent('#backend')) ?? '', /^backend: wasm/);
  if (!needsAdapter(t)) return;
  assert.equal(await wasm.page.$eval('#backend-choice', (menu) => (menu as HTMLSelectElement).value), 'wasm');
  await settled(gpu.page);
  assert.equal(await gpu.page.getAttribute('#backend', 'data-backend'), 'webgpu');
  assert.match((await gpu.page.textContent('#backend')) ?? '', /^backend: webgpu · .*swiftshader/i);
  assert.equal(await gpu.page.getAttribute('.explorer', 'data-ran-on'), 'webgpu');
  assert.deepEqual(gpu.errors, []);
});

test('every offered kind gives on webgpu the output, indices and gradient it gives on wasm', { skip }, async (t) => {
  if (!needsAdapter(t)) return;
  for (const tab of [wasm, gpu]) await tab.page.click('#view-explorer .digit[data-digit="7"]');
  const before = await gpuCalls(gpu.page);
  for (const kind of explorableKinds()) {
    const results = [];
    for (const { page } of [wasm, gpu]) {
      await page.selectOption(kindMenu, kind.name);
      for (const spec of kind.fields) await setField(page, spec, spec.field.demo);
      assert.deepEqual(await shownValues(page), demoValues(kind), `${kind.name}: the form reads back its demo values`);
      results.push(await explorerNumbers(page));
    }
    const [onWasm, onGpu] = results as [Awaited<ReturnType<typeof explorerNumbers>>, (typeof results)[number]];
    assert.equal(onGpu.error, onWasm.error, `${kind.name}: the same error or none`);
    assert.deepEqual(onGpu.indices, onWasm.indices, `${kind.name} indices`);
    // Bit for bit for max, within GPU_BOUNDS elsewhere (the loosest: Lp's pow, 2^-14 of the terms).
    const bound = { absolute: 1e-6, relative: GPU_BOUNDS.powerShareRelative };
    assertClose(onGpu.output, onWasm.output, { ...bound, label: `${kind.name} output` });
    assertClose(onGpu.gradient, onWasm.gradient, { ...bound, label: `${kind.name} gradient` });
    if (kind.name === 'max') assert.deepEqual(onGpu, onWasm, 'max: bit for bit');
  }
  const after = await gpuCalls(gpu.page);
  for (const kernel of [
    'maxPoolForward',
    'maxPoolBackward',
    'avgPoolForward',
    'lpPoolForward',
    'adaptiveAvgPoolForward',
  ])
    assert.ok((after[kernel] ?? 0) > (before[kernel] ?? 0), `${kernel} ran on the GPU`);
  await gpu.page.screenshot({ path: join(artifacts, 'web-explorer-webgpu.png') });
});

test('on webgpu, bad options show the library’s PoolkitArgumentError message, as on wasm', { skip }, async (t) => {
  if (!needsAdapter(t)) return;
  const messages = [];
  for (const { page } of [wasm, gpu]) {
    await configure(page, 'max', { [axis('kernelSize', 'height')]: '40' });
    await settled(page);
    messages.push(await page.textContent('#explorer-error'));
    assert.equal(await page.getAttribute('#explorer-error', 'data-kind'), 'argument');
    await page.fill(axis('kernelSize', 'height'), '2');
    await settled(page);
    assert.equal(await page.isHidden('#explorer-error'), true);
  }
  assert.match(messages[0] ?? '', /^maxPool2d: kernelSize/);
  assert.equal(messages[1], messages[0]);
});

test('the recognizer on webgpu gives the probabilities it gives on wasm and in Node', { skip }, async (t) => {
  if (!needsAdapter(t)) return;
  for (const { page } of [wasm, gpu]) {
    await page.click('#tab-recognizer');
    await page.waitForSelector('#model-status[data-state="ready"]', { timeout: 60_000 });
  }
  assert.equal(await gpu.page.getAttribute('#model-status', 'data-ran-on'), 'webgpu');
  for (let digit = 0; digit < 10; digit++) {
    const probabilities = [];
    for (const { page } of [wasm, gpu]) {
      await page.click(`#recognizer-samples .digit[data-digit="${digit}"]`);
      await settled(page);
      probabilities.push(await pageProbabilities(page));
    }
    // The training kernels' bound (float32 sums of the dense layers' terms), far below 1e-5 here.
    assertClose(probabilities[1]!, probabilities[0]!, { absolute: 1e-5, label: `digit ${digit} probabilities` });
    assert.equal(await gpu.page.textContent('#prediction'), await wasm.page.textContent('#prediction'));
  }
  await gpu.page.click('#clear-pad');
  await drawOnPad(gpu.page);
  await settled(gpu.page);
  await expectModelPrediction(gpu.page);
  const calls = await gpuCalls(gpu.page);
  for (const kernel of ['conv2dForward', 'maxPoolForward', 'matmul', 'reluForward'])
    assert.ok((calls[kernel] ?? 0) > 0, `${kernel} ran on the GPU`);
  await gpu.page.screenshot({ path: join(artifacts, 'web-recognizer-webgpu.png'), fullPage: true });
  assert.deepEqual(gpu.errors, []);
});
