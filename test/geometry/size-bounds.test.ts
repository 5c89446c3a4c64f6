// Every size that reaches an allocation or a kernel is checked first, where it is made: a
// PoolkitArgumentError naming the argument (never the allocator's RangeError), and the heap
// untouched. Limits: 2^31 - 1 per size (sizes cross into WebAssembly as int32) and the heap's
// 4 GiB per tensor (issue #20, item 1).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  adaptiveAvgPool2d,
  adaptiveGeometry,
  avgPool1d,
  conv1d,
  initLstmPoolWeights,
  layers,
  lpPool1d,
  maxPool1d,
  maxUnpool2d,
  memoryStats,
  modelFromJSON,
  poolGeometry,
  PoolkitArgumentError,
  spatialPyramidPool,
  tensor,
  upSampling2d,
  zeros,
  type PoolOptions,
} from '../../src/index.js';

/** Runs `make`, expecting a PoolkitArgumentError naming `argument`, and no byte more in the heap. */
function refuses(make: () => unknown, argument: string, message?: RegExp): void {
  const before = memoryStats().bytesUndisposed;
  assert.throws(make, (error: unknown) => {
    assert.ok(error instanceof PoolkitArgumentError, `a PoolkitArgumentError, got ${String(error)}`);
    assert.equal(error.argument, argument, error.message);
    if (message !== undefined) assert.match(error.message, message);
    return true;
  });
  assert.equal(memoryStats().bytesUndisposed, before, 'the heap holds what it held before');
}

const HUGE = [2 ** 31, 2 ** 32, 2 ** 53, 1e200, 1e300, Infinity];

test("the issue's triggers are refused by the op or layer, naming the argument", () => {
  const image = zeros([1, 4, 4, 1]);
  refuses(() => zeros([1e200, 1e200]), 'shape');
  refuses(() => adaptiveAvgPool2d(image, { outputSize: 1e300 }), 'outputSize');
  refuses(() => spatialPyramidPool(image, { levels: [1e200] }), 'levels');
  const indices = zeros([1, 4, 4, 1], 'int32');
  refuses(() => maxUnpool2d(image, indices, { kernelSize: [1e300, 1e300] }), 'kernelSize');
  refuses(() => layers.dense({ units: 1e308 }), 'units');
  const json = { className: 'Sequential', config: { layers: [{ className: 'Dense', config: { units: 1e308 } }] } };
  refuses(() => modelFromJSON(json), 'units');
  image.dispose();
  indices.dispose();
});

test('window sizes, strides, dilations and pads above 2^31 - 1 are refused before any kernel runs', () => {
  const row = tensor([[[1], [2], [3], [4], [5]]]);
  for (const huge of HUGE) {
    refuses(() => maxPool1d(row, { kernelSize: huge }), 'kernelSize', /at most 2147483647/);
    refuses(() => avgPool1d(row, { kernelSize: 2, stride: huge }), 'stride');
    refuses(() => lpPool1d(row, { p: 1.5, kernelSize: 1, dilation: huge }), 'dilation');
    refuses(() => maxPool1d(row, { kernelSize: 3, padding: [[huge, 0]] }), 'padding');
  }
  row.dispose();
});

test('a dilated window or a padded input longer than 2^31 - 1 cells is refused, naming its cause', () => {
  const shape = [1, 5, 1];
  const geometry = (options: PoolOptions) => () => poolGeometry('test', shape, 1, options);
  refuses(geometry({ kernelSize: 2, dilation: 2 ** 31 - 1 }), 'kernelSize', /spans 2147483648 cells/);
  refuses(geometry({ kernelSize: 2 ** 31 - 1, stride: 1, padding: 'same' }), 'kernelSize', /padded input/);
  refuses(geometry({ kernelSize: 2 ** 31 - 1, stride: 1, padding: 2 ** 30 - 1 }), 'padding', /padded input/);
  // The largest window that fits still works: one output, from a window clipped to the input.
  assert.deepEqual(poolGeometry('test', shape, 1, { kernelSize: 2 ** 31 - 1, padding: 'same' }).outputShape, [1, 1, 1]);
});

test('a window of more than 2^31 - 1 taps in all is refused', () => {
  const shape = [1, 4, 4, 4, 1];
  refuses(() => poolGeometry('test', shape, 3, { kernelSize: 1291, padding: 'same' }), 'kernelSize', /taps in all/);
  assert.equal(poolGeometry('test', shape, 3, { kernelSize: 1290, padding: 'same' }).kernelDepth, 1290);
});

test('an output larger than the heap is refused from the shapes alone', () => {
  // 3D, 2^27 channels, a 2-window padded by 1 at stride 1: output 2·2·2·2^27 = 2^30 elements.
  const shape = [1, 1, 1, 1, 2 ** 27];
  refuses(() => poolGeometry('test', shape, 3, { kernelSize: 2, stride: 1, padding: 1 }), 'input', /4 GiB/);
  refuses(() => adaptiveGeometry('test', [1, 4, 4, 1], 2, [2 ** 20, 2 ** 20]), 'outputSize', /4 GiB/);
  const image = zeros([1, 4, 4, 1]);
  refuses(() => spatialPyramidPool(image, { levels: [1, 2 ** 20] }), 'levels', /4 GiB/);
  const indices = zeros([1, 4, 4, 1], 'int32');
  refuses(() => maxUnpool2d(image, indices, { kernelSize: 2 ** 20 }), 'kernelSize', /4 GiB/);
  refuses(() => maxUnpool2d(image, indices, { kernelSize: 2 ** 31 - 1 }), 'kernelSize', /output size/);
  refuses(() => maxUnpool2d(image, indices, { kernelSize: 2, stride: 2 ** 31 - 1 }), 'stride', /output size/);
  image.dispose();
  indices.dispose();
});

test('layer sizes: units, filters and dimensions are counts up to 2^31 - 1 whose weights fit the heap', () => {
  for (const huge of HUGE) {
    refuses(() => layers.dense({ units: huge }), 'units');
    refuses(() => layers.conv2d({ filters: huge, kernelSize: 1 }), 'filters');
    refuses(() => layers.embedding({ inputDim: 10, outputDim: huge }), 'outputDim');
  }
  refuses(() => layers.embedding({ inputDim: 1e5, outputDim: 1e5 }), 'outputDim', /4 GiB/);
  refuses(() => layers.dense({ units: 2 ** 30 }).build([null, 3]), 'units', /4 GiB/);
  refuses(() => layers.conv2d({ filters: 2 ** 20, kernelSize: 2 ** 5 }).build([null, 32, 32, 1]), 'filters', /4 GiB/);
  refuses(() => layers.lstmPooling2d({ units: 1e308 }).build([null, 4, 4, 1]), 'units');
  refuses(() => layers.lstmPooling2d({ units: 1e5 }).build([null, 4, 4, 1]), 'units', /4 GiB/);
  refuses(() => initLstmPoolWeights(1, 2 ** 31, 1), 'hidden');
  refuses(() => initLstmPoolWeights(1, 1e5, 1), 'hidden', /4 GiB/);
});

test('upsampling and causal convolution refuse sizes whose output or padded input exceeds the heap', () => {
  const image = zeros([1, 4, 4, 1]);
  refuses(() => upSampling2d(image, { size: 2 ** 20 }), 'size', /4 GiB/);
  refuses(() => layers.upSampling2d({ size: [2 ** 16, 2 ** 16] }).apply(image), 'size', /4 GiB/);
  const steps = zeros([1, 4, 1]);
  const filter = zeros([2, 1, 1]);
  refuses(() => conv1d(steps, filter, null, { padding: 'causal', dilation: 2 ** 30 }), 'dilation', /4 GiB/);
  refuses(() => conv1d(steps, filter, null, { dilation: 1e300 }), 'dilation', /at most 2147483647/);
  const causal = layers.conv1d({ filters: 1, kernelSize: 2, dilationRate: 2 ** 30, padding: 'causal' });
  causal.build([null, 4, 1]);
  refuses(() => causal.apply(steps), 'dilation', /4 GiB/);
  causal.dispose();
  for (const made of [image, steps, filter]) made.dispose();
});
