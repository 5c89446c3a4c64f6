// The explorer's kind list, form fields and generic call in Node (no browser): derived from the
// registry alone, so a kind defined elsewhere appears with its options and its weights; the generic
// call agrees with the library's ops called by hand, and leaves no tensor behind.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as poolkit from '../../src/index.js';
import { runKind, outputGrid } from '../../web/src/kind-call.js';
import { isPooling } from '../../web/src/model.js';
import { demoValues, explorableKinds, explorerKind, formFields, type OptionValues } from '../../web/src/pool-kinds.js';
import { assertClose } from '../helpers/assert-close.js';

const grid = Array.from({ length: 36 }, (_, index) => ((index * 7) % 11) - 3);

function run(kindName: string, values: OptionValues): number[] {
  const kind = explorerKind(poolkit.findPoolingKind(kindName)!);
  return poolkit.tidy(() => Array.from(runKind(kind, poolkit.tensor(grid, [1, 6, 6, 1]), values).output.values));
}

/** A kind no file in src/ or web/ knows: s·max of each window, s a learnable weight starting at scaleInitial. */
const scaledMaxKind = poolkit.definePoolingKind({
  names: ['scaledMaxForTest'],
  window: 'sliding',
  ranks: [2],
  op: 'scaledMaxPool{rank}d',
  options: [
    {
      name: 'kernelSize',
      configName: 'poolSize',
      required: 'op',
      doc: 'Window size.',
      field: { type: 'pair', min: 1, demo: [3, 2] },
    },
    { name: 'scaleInitial', layerOnly: true, default: 1, doc: 'Initial s.', field: { type: 'number', demo: 3 } },
  ],
  docs: {
    label: 'Scaled max',
    summary: 's·max.',
    formula: 'y = s·max(x)',
    gradient: 's to the argmax.',
    source: 'a test',
  },
  kernels: {},
  outputShape: (op, shape, options, rank) =>
    poolkit.poolGeometry(op, shape, rank, { kernelSize: options.kernelSize as number[] }).outputShape,
  compute: ({ input, tensors: [scale], options }) =>
    poolkit.mul(poolkit.maxPool2d(input, { kernelSize: options.kernelSize as number[] }), scale!),
  layer: {
    className: 'ScaledMaxPooling{rank}D',
    keras: false,
    seedConfig: null,
    weights: {
      shapes: () => [{ name: 'scale', shape: [1] }],
      initialize: (context) => [poolkit.full([1], context.options.scaleInitial as number)],
    },
  },
});

test('the explorer offers the registry’s kinds with a rank-2 op or an example call, with their fields', () => {
  const kinds = explorableKinds();
  const expected = poolkit.poolingKinds.filter((kind) => kind.ranks.includes(2) || kind.example !== undefined);
  assert.deepEqual(
    kinds.map((kind) => kind.name),
    expected.map((kind) => kind.name),
  );
  assert.ok(kinds.some((kind) => kind.functionName === 'minPool2d'));
  assert.equal(kinds.find((kind) => kind.window === 'sequence')?.functionName, 'maskedPool1d');
  for (const kind of kinds) {
    const withField = kind.kind.options.filter((spec) => spec.field !== undefined).map((spec) => spec.name);
    assert.deepEqual(
      kind.fields.map((spec) => spec.name),
      withField,
      kind.name,
    );
  }
  const names = formFields(kinds).map((spec) => spec.name);
  assert.equal(new Set(names).size, names.length, 'one field per option name');
  for (const name of ['kernelSize', 'padding', 'p', 'alphaInitial', 'units', 'training', 'seed', 'levels', 'lengths'])
    assert.ok(names.includes(name), `${name} has a field`);
});

test('a kind defined outside web/ appears with its options, and its layer’s weight reaches the op', () => {
  const kinds = explorableKinds([...poolkit.poolingKinds, scaledMaxKind]);
  const kind = kinds.find((candidate) => candidate.name === 'scaledMaxForTest')!;
  assert.equal(kind.functionName, 'scaledMaxPool2d');
  assert.deepEqual(
    kind.fields.map((spec) => [spec.name, spec.field.type]),
    [
      ['kernelSize', 'pair'],
      ['scaleInitial', 'number'],
    ],
  );
  assert.ok(formFields(kinds).some((spec) => spec.name === 'scaleInitial'));
  poolkit.tidy(() => {
    const input = poolkit.tensor(grid, [1, 6, 6, 1]);
    const { output, indices } = runKind(kind, input, demoValues(kind));
    const expected = poolkit.maxPool2d(input, { kernelSize: [3, 2] });
    assert.deepEqual(output.shape, [1, 2, 3, 1]);
    assertClose(
      output.values,
      expected.values.map((value) => 3 * value),
    );
    assert.equal(indices, null);
  });
});

test('every offered kind runs at its demo values: a grid for every output, a gradient, no tensor left', () => {
  const image = poolkit.tensor(grid, [1, 6, 6, 1]);
  const runAll = (): void => {
    for (const kind of explorableKinds())
      poolkit.tidy(() => {
        const input = poolkit.requireGrad(image.clone());
        const { output, indices } = runKind(kind, input, demoValues(kind));
        const { rows, columns } = outputGrid(output);
        assert.equal(rows * columns, output.size, `${kind.name}: the grid holds the output`);
        if (indices !== null) assert.deepEqual(indices.shape, output.shape, `${kind.name}: one index per output`);
        poolkit.backward(output, poolkit.ones(output.shape));
        assert.ok(input.grad!.values.every(Number.isFinite), `${kind.name}: a finite gradient`);
      });
  };
  runAll(); // first calls may fill caches
  const before = poolkit.memoryStats().bytesUndisposed;
  runAll();
  assert.equal(poolkit.memoryStats().bytesUndisposed, before);
  image.dispose();
});

test('the generic call equals the library’s ops called by hand', () => {
  const input = poolkit.tensor(grid, [1, 6, 6, 1]);
  const window = { kernelSize: [2, 2], stride: [2, 2], padding: 'valid' as const, dilation: [1, 1], ceilMode: false };
  const cases: [string, OptionValues, () => poolkit.Tensor][] = [
    ['max', window, () => poolkit.maxPool2d(input, { kernelSize: 2 })],
    ['mixed', { ...window, alphaInitial: 0.3 }, () => poolkit.mixedPool2d(input, poolkit.tensor([0.3]), window)],
    ['gated', window, () => poolkit.gatedPool2d(input, poolkit.zeros([4]), window)],
    [
      'stochastic',
      { ...window, training: true, seed: 5 },
      () => poolkit.stochasticPool2d(input, { kernelSize: 2, training: true, seed: 5 }),
    ],
    ['adaptiveMax', { outputSize: [4, 3] }, () => poolkit.adaptiveMaxPool2d(input, { outputSize: [4, 3] })],
    ['globalLp', { p: 3 }, () => poolkit.globalLpPool(input, { p: 3 })],
    [
      'spatialPyramid',
      { levels: [1, 3], mode: 'average' },
      () => poolkit.spatialPyramidPool(input, { levels: [1, 3], mode: 'average' }),
    ],
    [
      'masked',
      { mode: 'average', p: 2, lengths: 3 },
      () => poolkit.maskedPool1d(input.reshape([6, 6, 1]), { lengths: [3, 3, 3, 3, 3, 3], mode: 'average' }),
    ],
    [
      'maxUnpool',
      { kernelSize: [3, 3], stride: [3, 2] },
      () => {
        const pooled = poolkit.maxPool2d(input, { kernelSize: 3, stride: [3, 2], returnIndices: true });
        return poolkit.maxUnpool2d(pooled.output, pooled.indices, {
          kernelSize: 3,
          stride: [3, 2],
          outputSize: [6, 6],
        });
      },
    ],
  ];
  for (const [kind, values, expected] of cases) assertClose(run(kind, values), expected().values, { label: kind });
});

test('max and adaptive max return their argmax; a bad option throws the op’s own error', () => {
  const kind = explorerKind(poolkit.maxKind);
  poolkit.tidy(() => {
    const input = poolkit.tensor(grid, [1, 6, 6, 1]);
    const { indices } = runKind(kind, input, { kernelSize: [3, 3], stride: [3, 3] });
    const expected = poolkit.maxPool2d(input, { kernelSize: 3, returnIndices: true }).indices;
    assert.deepEqual(Array.from(indices!.intValues), Array.from(expected.intValues));
    const adaptive = runKind(explorerKind(poolkit.adaptiveMaxKind), input, { outputSize: [4, 3] }).indices;
    const adaptiveExpected = poolkit.adaptiveMaxPool2d(input, { outputSize: [4, 3], returnIndices: true }).indices;
    assert.deepEqual(Array.from(adaptive!.intValues), Array.from(adaptiveExpected.intValues));
    assert.throws(
      () => runKind(kind, input, { kernelSize: [0, 2] }),
      (error: unknown) =>
        error instanceof poolkit.PoolkitArgumentError && error.message.startsWith('maxPool2d: kernelSize'),
    );
  });
});

test('the recognizer draws the maps around every pooling kind’s layer, RoI layers included, and no other layer', () => {
  for (const className of ['MaxPooling2D', 'RoIAlign2D', 'RoIPooling2D', 'LIPPooling2D', 'WaveletPooling2D'])
    assert.ok(isPooling(className), className);
  for (const className of ['Conv2D', 'Dense', 'Flatten', 'Dropout']) assert.ok(!isPooling(className), className);
});
