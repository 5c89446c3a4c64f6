// Property: a channelsFirst call of a layout-free kind (KindDefinition.layoutFree), which the wasm
// backend runs as the channelsLast call between two transposes (src/pooling/channels-first.ts), gives
// the reference backend's channelsFirst numbers: the output, the input's gradient and every weight's
// gradient, bit for bit (within the kind's tolerance where it has one), on random shapes, ranks,
// windows and values, ties and negatives included.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  adaptiveMaxPool2d,
  backward,
  maxPool2d,
  medianPool2d,
  minPool2d,
  Pooling,
  Random,
  requireGrad,
  setBackend,
  Tensor,
  tensor,
  tidy,
} from '../../src/index.js';
import { runsTransposed } from '../../src/pooling/channels-first.js';
import { poolingKinds, type RegisteredKind } from '../../src/pooling/registry.js';
import type { SpatialDims } from '../../src/geometry/layout.js';
import { assertSame } from './harness.js';
import { assertClose } from './weighted-helpers.js';
import { wasmBackend } from '../../src/kernels/wasm/index.js';

const routed = poolingKinds.filter((kind) => kind.layoutFree === true);

/** The layer's config: its seed settings, with a random window for the sliding kinds, keepDims for the global ones. */
function configOf(
  kind: RegisteredKind,
  window: { poolSize: number; strides: number; padding: string },
  keepDims: boolean,
) {
  const seed = { ...kind.layer!.seedConfig };
  if (kind.window === 'global') return { ...seed, keepDims, dataFormat: 'channelsFirst' };
  if (kind.window !== 'sliding') return { ...seed, dataFormat: 'channelsFirst' };
  const padding = kind.options.some((option) => option.name === 'padding') ? { padding: window.padding } : {};
  return { ...seed, poolSize: window.poolSize, strides: window.strides, ...padding, dataFormat: 'channelsFirst' };
}

/** Output, input gradient and weight gradients of `layer` on `input` under `backend`. */
function run(backend: string, layer: Pooling, input: Tensor, upstream: Float32Array) {
  setBackend(backend);
  try {
    return tidy(() => {
      const output = layer.apply(input, { training: true, random: new Random(3) });
      backward(output, tensor(upstream, output.shape));
      const grads = [input, ...layer.parameters.map((parameter) => parameter.tensor)].map((tensor) => {
        const values = Float32Array.from(tensor.grad!.values);
        tensor.grad = null;
        return values;
      });
      return { output: Float32Array.from(output.values), grads };
    });
  } finally {
    setBackend('reference');
  }
}

const cases = fc.record({
  kind: fc.constantFrom(...routed.map((kind) => kind.name)),
  rank: fc.constantFrom<SpatialDims>(1, 2, 2, 3),
  batch: fc.integer({ min: 1, max: 3 }),
  channels: fc.integer({ min: 1, max: 6 }),
  size: fc.integer({ min: 3, max: 8 }),
  window: fc.record({
    poolSize: fc.integer({ min: 1, max: 3 }),
    strides: fc.integer({ min: 1, max: 3 }),
    padding: fc.constantFrom('valid', 'same'),
  }),
  coarse: fc.boolean(),
  keepDims: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1000 }),
});

test('channelsFirst calls of the layout-free kinds run transposed on wasm and give the reference numbers', () => {
  assert.ok(wasmBackend !== null, 'the wasm backend did not register');
  assert.ok(routed.length >= 15, `only ${routed.length} kinds are layout-free`);
  const seen = new Set<string>();
  fc.assert(
    fc.property(cases, (named) => {
      const spec = { ...named, kind: routed.find((kind) => kind.name === named.kind)! };
      const rank = spec.kind.ranks.includes(spec.rank) ? spec.rank : spec.kind.ranks[0]!;
      const size = rank === 3 ? Math.min(spec.size, 5) : spec.size;
      const shape = [spec.batch, spec.channels, ...Array<number>(rank).fill(size)];
      const random = new Random(spec.seed);
      const input = Tensor.allocate(shape);
      for (let index = 0; index < input.size; index++) {
        const value = random.uniform() * 4 - 2;
        input.values[index] = spec.coarse ? Math.round(value * 2) / 2 : value;
      }
      requireGrad(input);
      let layer: Pooling;
      try {
        layer = new Pooling(spec.kind, rank, configOf(spec.kind, spec.window, spec.keepDims));
        layer.build(shape);
      } catch {
        input.dispose();
        return fc.pre(false); // a window or output size this shape does not admit
      }
      const call = { op: 'test', input, tensors: [], options: { dataFormat: 'channelsFirst' }, rank };
      setBackend('wasm');
      assert.ok(runsTransposed(spec.kind, call), `${spec.kind.name} runs transposed on wasm`);
      setBackend('reference');
      assert.ok(!runsTransposed(spec.kind, call), `${spec.kind.name} runs as called on the reference`);
      const outputSize = layer.computeOutputShape(shape).reduce<number>((product, extent) => product * extent!, 1);
      const upstream = Float32Array.from({ length: outputSize }, () => random.uniform() - 0.5);
      const expected = run('reference', layer, input, upstream);
      const actual = run('wasm', layer, input, upstream);
      const label = `${spec.kind.name} ${JSON.stringify(shape)} ${JSON.stringify(spec.window)}`;
      const same = (got: Float32Array, want: Float32Array, what: string) =>
        spec.kind.tolerance === undefined
          ? assertSame(got, want, `${label} ${what}`)
          : assertClose(got, want, spec.kind.tolerance, `${label} ${what}`);
      same(actual.output, expected.output, 'output');
      actual.grads.forEach((grad, index) => same(grad, expected.grads[index]!, `gradient ${index}`));
      layer.dispose();
      input.dispose();
      seen.add(spec.kind.name);
    }),
    { numRuns: 200, seed: 20261205 },
  );
  assert.equal(seen.size, routed.length, `cases ran for ${[...seen].join(', ')}`);
});

test('channelsFirst calls that return indices run transposed on wasm and give the reference output, indices and gradient', () => {
  const random = new Random(7);
  const ops = [
    ['max', (x: Tensor, options: object) => maxPool2d(x, { kernelSize: 2, ...options, returnIndices: true })],
    [
      'min',
      (x: Tensor, options: object) => minPool2d(x, { kernelSize: 3, stride: 2, ...options, returnIndices: true }),
    ],
    ['median', (x: Tensor, options: object) => medianPool2d(x, { kernelSize: 2, ...options, returnIndices: true })],
    [
      'adaptiveMax',
      (x: Tensor, options: object) => adaptiveMaxPool2d(x, { outputSize: 3, ...options, returnIndices: true }),
    ],
  ] as const;
  for (const [name, op] of ops) {
    for (const shape of [
      [2, 5, 7, 6],
      [1, 1, 4, 9],
      [3, 8, 5, 5],
    ]) {
      const input = Tensor.allocate(shape);
      input.values.forEach((_, index) => (input.values[index] = Math.round((random.uniform() * 4 - 2) * 2) / 2));
      requireGrad(input);
      const results = ['reference', 'wasm'].map((backend) => {
        setBackend(backend);
        try {
          return tidy(() => {
            const { output, indices } = op(input, { dataFormat: 'channelsFirst' });
            backward(
              output,
              tensor(
                output.values.map((_, index) => (index % 5) - 2),
                output.shape,
              ),
            );
            const grad = Float32Array.from(input.grad!.values);
            input.grad = null;
            return { output: Float32Array.from(output.values), indices: Int32Array.from(indices.intValues), grad };
          });
        } finally {
          setBackend('reference');
        }
      });
      assertSame(results[1]!.output, results[0]!.output, `${name} ${JSON.stringify(shape)} output`);
      assertSame(results[1]!.indices, results[0]!.indices, `${name} ${JSON.stringify(shape)} indices`);
      assertSame(results[1]!.grad, results[0]!.grad, `${name} ${JSON.stringify(shape)} gradient`);
      input.dispose();
    }
  }
  setBackend('wasm');
  const kind = poolingKinds.find((candidate) => candidate.name === 'max')!;
  const call = { op: 'test', input: Tensor.allocate([1, 2, 4, 4]), tensors: [], rank: 2 as const };
  assert.ok(runsTransposed(kind, { ...call, options: { dataFormat: 'channelsFirst', returnIndices: true } }));
  setBackend('reference');
  call.input.dispose();
});

test('a routed channelsFirst call that breaks a rule fails as on the reference, naming the caller’s shape', () => {
  const optionsOf = (kind: RegisteredKind) =>
    kind.window === 'sliding' ? { kernelSize: 3 } : kind.window === 'adaptive' ? { outputSize: 3 } : {};
  let failures = 0;
  for (const kind of routed) {
    for (const shape of [
      [1, 3, 1, 1],
      [2, 5, 2, 1],
    ]) {
      const outcomes = ['reference', 'wasm'].map((backend) => {
        setBackend(backend);
        const input = Tensor.allocate(shape);
        try {
          tidy(() => void kind.apply(input, [], { ...optionsOf(kind), dataFormat: 'channelsFirst' }, 2));
          return 'ok';
        } catch (error) {
          return String(error);
        } finally {
          input.dispose();
          setBackend('reference');
        }
      });
      assert.equal(outcomes[1], outcomes[0], `${kind.name} on ${JSON.stringify(shape)}`);
      if (outcomes[0] !== 'ok') failures++;
    }
  }
  assert.ok(failures >= routed.length, `only ${failures} calls failed`);
});
