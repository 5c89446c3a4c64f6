// The ONNX export of the kinds added after the first exporter (min, soft, GeM, ... ): each kind's layer
// alone, at every rank it has, channels last and first, random options from its schema and random
// weights in the kind's working range, exported, run by onnxruntime-node and compared with poolkit's
// predict at a tolerance stated per kind: 0 for the selections (min, median, S3), else 10⁻⁶ absolute
// plus 10⁻⁶ relative (inputs in [−2, 2): float32 rounding of the composition's order of operations).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import {
  findPoolingKind,
  Pooling,
  Random,
  sequential,
  tensor,
  type RegisteredKind,
  type Tensor,
} from '../../src/index.js';
import { modelToOnnx, poolingOpToOnnx } from '../../src/io/node.js';
import { assertClose } from '../helpers/assert-close.js';
import { randomInput, randomPoolingCase } from './random-layers.js';

/** ONNX Runtime's outputs for one float input. */
async function runOnnx(bytes: Uint8Array, values: Float32Array, shape: readonly number[]) {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 4 });
  try {
    const results = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', values, [...shape]) });
    return session.outputNames.map((name) => results[name]!);
  } finally {
    await session.release();
  }
}

interface KindCase {
  readonly kind: string;
  readonly tolerance: { readonly absolute: number; readonly relative: number };
  /** A value for a learnable weight (index `weight` of the layer's) in the kind's working range. */
  readonly weight?: (random: Random, weight: number) => number;
}

const kindCases: readonly KindCase[] = [
  { kind: 'min', tolerance: { absolute: 0, relative: 0 } },
  { kind: 'soft', tolerance: { absolute: 1e-6, relative: 1e-6 } },
  // p away from 0, both signs: 1/p magnifies the mean's rounding.
  {
    kind: 'gem',
    tolerance: { absolute: 1e-6, relative: 1e-6 },
    weight: (random) => (random.uniform() < 0.3 ? -1 : 1) * (0.5 + 4 * random.uniform()),
  },
  {
    kind: 'globalGem',
    tolerance: { absolute: 1e-6, relative: 1e-6 },
    weight: (random) => (random.uniform() < 0.3 ? -1 : 1) * (0.5 + 4 * random.uniform()),
  },
  // |r| ≥ 0.25: float32's log of a mean near 1, divided by a small r, loses digits the kernel's log1p keeps.
  {
    kind: 'lse',
    tolerance: { absolute: 1e-6, relative: 1e-6 },
    weight: (random) => (random.uniform() < 0.5 ? -1 : 1) * (0.25 + 2 * random.uniform()),
  },
  { kind: 'blur', tolerance: { absolute: 1e-6, relative: 1e-6 } },
  { kind: 'maxBlur', tolerance: { absolute: 1e-6, relative: 1e-6 } },
  { kind: 'median', tolerance: { absolute: 0, relative: 0 } },
  { kind: 'ordinal', tolerance: { absolute: 1e-6, relative: 1e-6 } },
  { kind: 'lip', tolerance: { absolute: 1e-6, relative: 1e-6 } },
  { kind: 'adaPool', tolerance: { absolute: 1e-6, relative: 1e-6 }, weight: (random) => random.uniform() },
  // α ≥ 0.1 keeps Σw away from 0 (a negative α may cancel it: the quotient then magnifies rounding).
  {
    kind: 'detailPreserving',
    tolerance: { absolute: 1e-6, relative: 1e-6 },
    weight: (random, weight) => (weight === 0 ? 0.1 + 2 * random.uniform() : 0.5 + 2.5 * random.uniform()),
  },
  { kind: 'spectral', tolerance: { absolute: 1e-6, relative: 1e-6 } },
  // Strides drawn over the range a layer projects them into (1 to N/2), so the masks differ.
  { kind: 'diffStride', tolerance: { absolute: 1e-6, relative: 1e-6 }, weight: (random) => 1 + 3 * random.uniform() },
  { kind: 'wavelet', tolerance: { absolute: 1e-6, relative: 1e-6 } },
  { kind: 's3', tolerance: { absolute: 0, relative: 0 } },
  { kind: 'covariance', tolerance: { absolute: 1e-6, relative: 1e-6 } },
  { kind: 'attention', tolerance: { absolute: 1e-6, relative: 1e-6 } },
];

/** One random layer of the case's kind at `rank`: ONNX Runtime's output against predict's. */
async function compareOnce(kindCase: KindCase, kind: RegisteredKind, rank: 1 | 2 | 3, random: Random, draw: number) {
  const testCase = randomPoolingCase(kind, rank, random);
  const layer = new Pooling(kind, rank, { ...testCase.config, inputShape: testCase.inputShape.slice(1) });
  const model = sequential([layer]);
  layer.parameters.forEach((parameter, weight) => {
    const draws = parameter.tensor.values;
    for (let index = 0; index < draws.length; index++)
      draws[index] = kindCase.weight === undefined ? random.uniform() * 2 - 1 : kindCase.weight(random, weight);
  });
  const values = randomInput(testCase.inputShape, 100 + draw);
  // Exported before predict runs, so nothing a call does to the layer (DiffStride projects its strides) helps.
  const bytes = modelToOnnx(model);
  const expected = model.predict(tensor(values, testCase.inputShape)) as ReturnType<typeof tensor>;
  const label = `${kind.name} ${rank}D ${JSON.stringify(testCase.config)}`;
  const [actual] = await runOnnx(bytes, values, testCase.inputShape);
  assert.deepEqual(actual!.dims, expected.shape, label);
  assertClose(actual!.data as Float32Array, expected.values, { ...kindCase.tolerance, label });
  expected.dispose();
  model.dispose();
  return testCase.config.dataFormat === 'channelsFirst';
}

for (const kindCase of kindCases) {
  test(`${kindCase.kind}: ONNX Runtime computes the exported layer as predict does, every rank, both data formats`, async () => {
    const kind = findPoolingKind(kindCase.kind)!;
    const random = new Random(kindCase.kind.length * 7919);
    const formats = new Set<boolean>();
    for (const rank of kind.ranks) {
      for (let draw = 0; draw < 6; draw++) formats.add(await compareOnce(kindCase, kind, rank, random, draw));
    }
    if (kind.options.some((spec) => spec.name === 'dataFormat'))
      assert.equal(formats.size, 2, 'both data formats drawn');
  });
}

test('pooling ops export too: S3Pool with given rows (Gather), spectral pooling to even sizes (complex axis matrices)', async () => {
  const cases = [
    {
      kind: 's3',
      rank: 2,
      options: {
        kernelSize: 2,
        stride: 2,
        rows: [
          [0, 1, 4],
          [1, 2, 5],
        ],
      },
      inputShape: [2, 7, 7, 3],
    },
    { kind: 'spectral', rank: 2, options: { outputSize: [4, 2] }, inputShape: [2, 8, 5, 3] },
    {
      kind: 'spectral',
      rank: 3,
      options: { outputSize: [2, 3, 4], dataFormat: 'channelsFirst' },
      inputShape: [1, 2, 5, 6, 7],
    },
  ] as const;
  for (const spec of cases) {
    const values = randomInput(spec.inputShape, 9);
    const [actual] = await runOnnx(poolingOpToOnnx(spec), values, spec.inputShape);
    const kind = findPoolingKind(spec.kind)!;
    const expected = kind.apply(tensor(values, [...spec.inputShape]), [], spec.options, spec.rank) as Tensor;
    assert.deepEqual(actual!.dims, expected.shape);
    assertClose(actual!.data as Float32Array, expected.values, { absolute: 1e-5, relative: 1e-5, label: spec.kind });
    expected.dispose();
  }
});

test("an op of a kind that takes tensors (GeM's p) is refused by poolingOpToOnnx, saying to export a layer", () => {
  assert.throws(
    () => poolingOpToOnnx({ kind: 'gem', rank: 2, options: { kernelSize: 2 }, inputShape: [1, 4, 4, 1] }),
    /kind.*takes tensors \(p\): export a layer/,
  );
});

test('LSE with one r per channel, of both signs and 0 (the mean), exports exactly', async () => {
  const shape = [2, 5, 6, 3];
  const layer = new Pooling(findPoolingKind('lse')!, 2, {
    poolSize: 3,
    strides: 2,
    padding: 'same',
    rScope: 'channel',
    inputShape: [5, 6, 3],
  });
  const model = sequential([layer]);
  layer.parameters[0]!.tensor.values.set([0, 2, -1.5]);
  const values = randomInput(shape, 21);
  const [actual] = await runOnnx(modelToOnnx(model), values, shape);
  const expected = model.predict(tensor(values, shape)) as Tensor;
  assertClose(actual!.data as Float32Array, expected.values, { absolute: 1e-6, relative: 1e-6 });
  model.dispose();
});

/** Kinds whose export keeps the kernel's rules for NaN and ±Infinity (see docs/formats.md for the rest). */
const nonFiniteKinds = [
  'soft',
  'gem',
  'globalGem',
  'lse',
  'blur',
  'median',
  'ordinal',
  'lip',
  'adaPool',
  'detailPreserving',
  'spectral',
  'diffStride',
  'covariance',
  'attention',
];

test('NaN, +Infinity and −Infinity inputs give what the kernels give (IEEE arithmetic, infinite shifts, poisoned planes)', async () => {
  const shape = [1, 7, 6, 2];
  for (const name of nonFiniteKinds) {
    const kind = findPoolingKind(name)!;
    const windowed = kind.options.some((spec) => spec.name === 'kernelSize');
    const config = windowed ? { poolSize: 3, strides: 2, padding: 'same' } : {};
    for (const special of [NaN, Infinity, -Infinity]) {
      for (const at of [0, 9, 25, 40, 83]) {
        const layer = new Pooling(kind, 2, { ...config, inputShape: shape.slice(1) });
        const model = sequential([layer]);
        layer.parameters.forEach((parameter) => {
          if (name === 'diffStride') parameter.tensor.values.fill(2);
          else if (parameter.tensor.shape.length === 1) parameter.tensor.values.fill(0.75);
        });
        const values = randomInput(shape, at);
        values[at] = special;
        const [actual] = await runOnnx(modelToOnnx(model), values, shape);
        const expected = model.predict(tensor(values, shape)) as Tensor;
        const label = `${name} with ${special} at ${at}`;
        assertClose(actual!.data as Float32Array, expected.values, { absolute: 1e-6, relative: 1e-6, label });
        model.dispose();
      }
    }
  }
});
