// The "regions" family's wasm kernels (src/kernels/wasm/kinds/regions*.ts) against their reference
// kernels, called directly on random shapes and values (ties, NaN, ±Infinity, huge and tiny gate
// inputs, odd hidden sizes that leave SIMD remainders) and through the ops on 1, 2 and 3 threads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  backward,
  fractionalMaxPool2d,
  fractionalMaxPool3d,
  getThreadCount,
  initLstmPoolWeights,
  kernelSource,
  lstmPool2d,
  maskedPool1d,
  tensor,
  requireGrad,
  roiAlign,
  roiPool,
  s3Pool1d,
  s3Pool2d,
  s3Pool3d,
  setBackend,
  setThreadCount,
  spatialPyramidPool,
  threadsReady,
  type Tensor,
} from '../../src/index.js';
import * as lstmReference from '../../src/kernels/reference/extra/lstm-batched.js';
import type { PoolingKernels } from '../../src/kernels/types.js';
import { wasmBackend } from '../../src/kernels/wasm/index.js';
import { lstmKind } from '../../src/pooling/kinds/lstm.js';
import { tidy } from '../../src/tensor/scope.js';
import type { PoolWithIndices } from '../../src/pooling/kind.js';
import { assertSame, check, filled, generator, poisoned, poolCases, type ValueKind } from './harness.js';
import { stridesOf } from '../../src/geometry/layout.js';
import type { PoolOptions } from '../../src/geometry/pool-geometry.js';
import { windowCapacity } from '../../src/kernels/reference/window-walk.js';
import { opResults } from '../helpers/op-results.js';

function fast(): PoolingKernels {
  assert.ok(wasmBackend !== null, 'the wasm backend did not register');
  return wasmBackend.kernels as PoolingKernels;
}

test("the wasm backend runs the regions family's kernels (not the reference fallback)", () => {
  setBackend('wasm');
  const names = [
    'lstmCellForward',
    'lstmCellBackward',
    'lstmGatherStep',
    'lstmScatterStep',
    'lstmWindowTable',
    'fractionalMaxPoolForward',
  ] as const;
  for (const name of names) assert.equal(kernelSource(name), 'wasm', name);
});

/** |actual − expected| ≤ relative·|expected| + absolute, NaN equal to NaN, infinities exact. */
function assertNear(actual: ArrayLike<number>, expected: ArrayLike<number>, bound: Bound, label: string): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let index = 0; index < actual.length; index++) {
    const [got, want] = [actual[index]!, expected[index]!];
    if (
      got === want ||
      (Number.isNaN(want)
        ? Number.isNaN(got)
        : Math.abs(got - want) <= bound.relative * Math.abs(want) + bound.absolute)
    )
      continue;
    assert.fail(`${label}[${index}]: wasm ${got} != reference ${want} (bound ${JSON.stringify(bound)})`);
  }
}

interface Bound {
  relative: number;
  absolute: number;
}

/** Gate pre-activations: the harness's values, plus huge, tiny and near-threshold magnitudes. */
function gateInputs(shape: number[], kind: ValueKind, seed: number): Tensor {
  const tensor = filled(shape, kind, seed);
  const random = generator(seed + 7);
  const values = tensor.values;
  for (let index = 0; index < values.length; index++) {
    const draw = random();
    if (draw < 0.05)
      values[index] = (random() - 0.5) * 400; // saturated gates, exp's clamp
    else if (draw < 0.1)
      values[index] = (random() - 0.5) * 1e-3; // tanh's polynomial near 0
    else if (draw < 0.15) values[index] = (random() < 0.5 ? -1 : 1) * (0.6 + random() * 0.05); // around 0.625
  }
  return tensor;
}

interface CellCase {
  windows: number;
  hidden: number;
  step: number;
  counts: Tensor;
  seed: number;
  kind: ValueKind;
}

function cellCases(): CellCase[] {
  const cases: CellCase[] = [];
  const kinds: ValueKind[] = ['plain', 'ties', 'negative', 'special'];
  for (let seed = 1; seed <= 40; seed++) {
    const random = generator(seed);
    const windows = 1 + Math.floor(random() * 23);
    const hidden = 1 + Math.floor(random() * 13);
    const taps = 1 + Math.floor(random() * 5);
    const counts = poisoned([windows], 'int32');
    for (let window = 0; window < windows; window++) counts.intValues[window] = Math.floor(random() * (taps + 1));
    cases.push({ windows, hidden, step: Math.floor(random() * taps), counts, seed, kind: kinds[seed % 4]! });
  }
  return cases;
}

/**
 * The float32 gate non-linearities are within 2.3 ulp of the reference's float64 Math (sweep in
 * the accuracy test below); states and gradients combine a few such terms of magnitude up to 4
 * (the harness's values), so a few ulp of 4 absolute (ulp(4) = 4.8e-7) where terms cancel.
 */
const CELL: Bound = { relative: 2e-6, absolute: 2e-6 };

test('lstmCellForward matches the reference within a few float32 ulp; finished windows carry their state bit for bit', () => {
  for (const item of cellCases()) {
    tidy(() => {
      const { windows, hidden, step, counts, seed, kind } = item;
      const gates = gateInputs([windows, 4 * hidden], kind, seed);
      const bias = gateInputs([4 * hidden], 'plain', seed + 1);
      const cells = filled([windows, hidden], kind, seed + 2);
      const hiddens = filled([windows, hidden], kind, seed + 3);
      const run = (kernels: Pick<PoolingKernels, 'lstmCellForward'>) => {
        const [activated, nextCells, nextHiddens] = [
          gates.clone(),
          poisoned([windows, hidden]),
          poisoned([windows, hidden]),
        ];
        kernels.lstmCellForward(
          activated.values,
          bias.values,
          counts.intValues,
          step,
          hidden,
          cells.values,
          nextCells.values,
          hiddens.values,
          nextHiddens.values,
        );
        return [activated, nextCells, nextHiddens];
      };
      const [expected, actual] = [run(lstmReference), run(fast())];
      const label = `seed ${seed} (${windows} windows, hidden ${hidden}, step ${step})`;
      ['gates', 'cells', 'hiddens'].forEach((name, index) =>
        assertNear(actual[index]!.values, expected[index]!.values, CELL, `${name} ${label}`),
      );
      for (let window = 0; window < windows; window++) {
        if (step < counts.intValues[window]!) continue;
        const state = (tensor: Tensor) => tensor.values.subarray(window * hidden, (window + 1) * hidden);
        assertSame(state(actual[1]!), state(cells), `carried cell ${label}`);
        assertSame(state(actual[2]!), state(hiddens), `carried hidden ${label}`);
      }
    });
  }
});

test('lstmCellBackward matches the reference (∂L/∂z, ∂L/∂c, the carry bit for bit, the bias sums)', () => {
  for (const item of cellCases()) {
    tidy(() => {
      const { windows, hidden, step, counts, seed, kind } = item;
      // Activated gates as the forward leaves them: in [0, 1] (the candidate in [−1, 1]), some NaN.
      const gates = filled([windows, 4 * hidden], kind, seed);
      gates.values.forEach((value, index) => {
        const block = Math.floor(index / hidden) % 4;
        gates.values[index] = block === 2 ? Math.tanh(value) : 1 / (1 + Math.exp(-value));
      });
      const cells = filled([windows, hidden], kind, seed + 2);
      const nextCells = gateInputs([windows, hidden], kind, seed + 3);
      const gradHidden = filled([windows, hidden], kind, seed + 4);
      const gradCell = filled([windows, hidden], 'plain', seed + 5);
      const gradBias = filled([4 * hidden], 'plain', seed + 6);
      const run = (kernels: Pick<PoolingKernels, 'lstmCellBackward'>) => {
        const outputs = [
          gradCell.clone(),
          poisoned([windows, 4 * hidden]),
          gradBias.clone(),
          poisoned([windows, hidden]),
        ];
        const [cell, gradGates, bias, carry] = outputs.map((tensor) => tensor.values);
        kernels.lstmCellBackward(
          gates.values,
          counts.intValues,
          step,
          hidden,
          cells.values,
          nextCells.values,
          gradHidden.values,
          cell!,
          gradGates!,
          bias!,
          carry!,
        );
        return outputs;
      };
      const [expected, actual] = [run(lstmReference), run(fast())];
      const label = `seed ${seed} (${windows} windows, hidden ${hidden}, step ${step})`;
      assertNear(actual[0]!.values, expected[0]!.values, CELL, `gradCell ${label}`);
      assertNear(actual[1]!.values, expected[1]!.values, CELL, `gradGates ${label}`);
      // The bias gradient sums one ∂L/∂z per window: the bound grows with the window count.
      assertNear(
        actual[2]!.values,
        expected[2]!.values,
        { relative: 2e-6, absolute: windows * 2e-6 },
        `gradBias ${label}`,
      );
      assertSame(actual[3]!.values, expected[3]!.values, `carry ${label}`);
    });
  }
});

test('lstmCellBackward sums the bias gradient in the reference order: bit for bit given the same ∂L/∂z', () => {
  // Every gate 0.5 and tanh c saturated (c = 40: 1 − tanh² is 0 in both) make every ∂L/∂z a
  // product both sides round once, so the float32 sums must agree bit for bit.
  tidy(() => {
    const [windows, hidden, step] = [37, 9, 0];
    const gates = filled([windows, 4 * hidden], 'plain', 5);
    gates.values.fill(0.5);
    const counts = poisoned([windows], 'int32');
    counts.intValues.forEach((_, index) => (counts.intValues[index] = index % 3));
    const [cells, nextCells] = [filled([windows, hidden], 'ties', 6), filled([windows, hidden], 'ties', 7)];
    nextCells.values.fill(40);
    const gradHidden = filled([windows, hidden], 'plain', 8);
    const gradCell = filled([windows, hidden], 'plain', 9);
    const run = (kernels: Pick<PoolingKernels, 'lstmCellBackward'>) => {
      const bias = filled([4 * hidden], 'plain', 10);
      const scratch = [gradCell.clone(), poisoned([windows, 4 * hidden]), poisoned([windows, hidden])];
      kernels.lstmCellBackward(
        gates.values,
        counts.intValues,
        step,
        hidden,
        cells.values,
        nextCells.values,
        gradHidden.values,
        scratch[0]!.values,
        scratch[1]!.values,
        bias.values,
        scratch[2]!.values,
      );
      return bias;
    };
    assertSame(run(fast()).values, run(lstmReference).values, 'gradBias');
  });
});

test('the gate non-linearities are within 2.3 float32 ulp of float64 sigmoid and tanh', () => {
  tidy(() => {
    const [windows, hidden] = [8, 1024];
    const gates = poisoned([windows, 4 * hidden]);
    const z = gates.values.map((_, index) => {
      const position = index / gates.size - 0.5;
      return [position * 60, position * 4, position * 1e-2, position * 1e-6][index % 4]!;
    });
    gates.values.set(z);
    const counts = poisoned([windows], 'int32');
    counts.intValues.fill(1);
    const zeros = () => {
      const tensor = poisoned([windows, hidden]);
      tensor.values.fill(0);
      return tensor;
    };
    const bias = poisoned([4 * hidden]);
    bias.values.fill(0);
    const states = [zeros(), zeros(), zeros(), zeros()].map((tensor) => tensor.values);
    fast().lstmCellForward(
      gates.values,
      bias.values,
      counts.intValues,
      0,
      hidden,
      states[0]!,
      states[1]!,
      states[2]!,
      states[3]!,
    );
    let worst = 0;
    gates.values.forEach((got, index) => {
      const x = z[index]!;
      const block = Math.floor(index / hidden) % 4;
      const want = block === 2 ? Math.tanh(x) : 1 / (1 + Math.exp(-x));
      const ulp = Math.max(2 ** (Math.floor(Math.log2(Math.abs(Math.fround(want)))) - 23), 2 ** -149);
      worst = Math.max(worst, Math.abs(got - want) / ulp);
    });
    assert.ok(worst <= 2.3, `worst error ${worst} ulp`);
  });
});

test('lstmGatherStep and lstmScatterStep match the reference bit for bit (ranks 1-3, both layouts, padding)', () => {
  check(
    poolCases({ maxChannels: 11 }),
    ({ geometry: pool, values, seed }) =>
      tidy(() => {
        const taps = windowCapacity(pool);
        const windows = pool.batch * pool.outDepth * pool.outHeight * pool.outWidth;
        const [offsets, counts] = [poisoned([windows, taps], 'int32'), poisoned([windows], 'int32')];
        lstmReference.lstmWindowTable({ pool, hidden: 1, outputShape: [] }, offsets.intValues, counts.intValues);
        const spatial = pool.inDepth * pool.inHeight * pool.inWidth;
        const channelStride = stridesOf(pool.channelsLast, pool.channels, spatial).channel;
        const input = filled(pool.inputShape, values, seed);
        const rows = filled([windows, pool.channels], values, seed + 1);
        for (let step = 0; step < taps; step++) {
          const gathered = [poisoned([windows, pool.channels]), poisoned([windows, pool.channels])];
          const scattered = [filled(pool.inputShape, 'plain', seed + 2), filled(pool.inputShape, 'plain', seed + 2)];
          [lstmReference, fast()].forEach((kernels, index) => {
            kernels.lstmGatherStep(
              input.values,
              offsets.intValues,
              step,
              taps,
              pool.channels,
              channelStride,
              gathered[index]!.values,
            );
            kernels.lstmScatterStep(
              rows.values,
              offsets.intValues,
              step,
              taps,
              pool.channels,
              channelStride,
              scattered[index]!.values,
            );
          });
          assertSame(gathered[1]!.values, gathered[0]!.values, `gather step ${step}`);
          assertSame(scattered[1]!.values, scattered[0]!.values, `scatter step ${step}`);
        }
      }),
    150,
  );
});

test('lstmWindowTable (cached per geometry) equals the reference on every call, geometries interleaved', () => {
  const cases = fc.sample(poolCases({ maxChannels: 5 }), { numRuns: 60, seed: 20261215 });
  const table = (kernels: Pick<PoolingKernels, 'lstmWindowTable'>, pool: (typeof cases)[number]['geometry']) => {
    const taps = windowCapacity(pool);
    const windows = pool.batch * pool.outDepth * pool.outHeight * pool.outWidth;
    const [offsets, counts] = [poisoned([windows, taps], 'int32'), poisoned([windows], 'int32')];
    kernels.lstmWindowTable({ pool, hidden: 1, outputShape: [] }, offsets.intValues, counts.intValues);
    const result = [Int32Array.from(offsets.intValues), Int32Array.from(counts.intValues)];
    offsets.dispose();
    counts.dispose();
    return result;
  };
  // each geometry three times, the others between: cache hits, misses and evictions
  for (const round of [0, 1, 2])
    cases.forEach(({ geometry: pool }, index) => {
      const [expected, actual] = [table(lstmReference, pool), table(fast(), pool)];
      assert.deepEqual(actual[0], expected[0], `offsets, case ${index} round ${round}`);
      assert.deepEqual(actual[1], expected[1], `counts, case ${index} round ${round}`);
    });
});

/** lstmPool2d forward and every gradient on the active backend. */
function lstmRun(input: Tensor, weights: ReturnType<typeof initLstmPoolWeights>, options: PoolOptions, seed: number) {
  return tidy(() => {
    const leaves = [input, weights.kernel, weights.recurrentKernel, weights.bias];
    for (const leaf of leaves) {
      leaf.grad = null;
      requireGrad(leaf);
    }
    const output = lstmPool2d(input, weights, options);
    backward(output, filled(output.shape, 'plain', seed));
    return [output.values.slice(), ...leaves.map((leaf) => leaf.grad!.values.slice())];
  });
}

test('lstmPool2d on wasm equals the reference backend within the kind tolerance, on 1, 2 and 3 threads', async () => {
  const before = getThreadCount();
  const tolerance = lstmKind.tolerance!;
  const cases: { shape: number[]; options: PoolOptions; hidden: number }[] = [
    { shape: [2, 7, 9, 5], options: { kernelSize: 3, stride: 2, padding: 'same' }, hidden: 6 },
    { shape: [3, 4, 6, 6], options: { kernelSize: 2, dataFormat: 'channelsFirst' }, hidden: 4 },
    {
      shape: [1, 5, 5, 3],
      options: {
        kernelSize: [2, 3],
        stride: 1,
        padding: [
          [1, 1],
          [0, 1],
        ],
      },
      hidden: 9,
    },
    { shape: [4, 12, 12, 8], options: { kernelSize: 2 }, hidden: 8 },
  ];
  try {
    for (const threads of [1, 2, 3]) {
      await setThreadCount(threads);
      await threadsReady();
      cases.forEach(({ shape, options, hidden }, index) => {
        const channels = options.dataFormat === 'channelsFirst' ? shape[1]! : shape[3]!;
        const weights = initLstmPoolWeights(channels, hidden, index + 1);
        const input = filled(shape, 'plain', index + 11);
        setBackend('reference');
        const expected = lstmRun(input, weights, options, index);
        setBackend('wasm');
        const actual = lstmRun(input, weights, options, index);
        ['output', 'gradInput', 'gradKernel', 'gradRecurrent', 'gradBias'].forEach((name, part) => {
          // The weights' gradients sum a term per window and step (576 in case 3), with cancellation:
          // their bound is relative to the tensor's largest magnitude, not to each (possibly small) sum.
          const scale = Math.max(0, ...Array.from(expected[part]!, Math.abs));
          const bound = { relative: tolerance.relative, absolute: tolerance.absolute + tolerance.relative * scale };
          assertNear(
            actual[part]!,
            expected[part]!,
            part < 2 ? tolerance : bound,
            `${name} case ${index}, ${threads} threads`,
          );
        });
        for (const tensor of [input, weights.kernel, weights.recurrentKernel, weights.bias]) tensor.dispose();
      });
    }
  } finally {
    setBackend('wasm');
    await setThreadCount(before);
  }
});

/** The op on wasm equals it on the reference backend bit for bit: output, indices, input gradient. */
function assertSameOnBackends(
  input: Tensor,
  seed: number,
  label: string,
  pool: (input: Tensor) => Tensor | PoolWithIndices,
) {
  const expected = opResults('reference', input, seed, pool);
  const actual = opResults('wasm', input, seed, pool);
  assertSame(actual.output, expected.output, `output ${label}`);
  assertSame(actual.indices, expected.indices, `indices ${label}`);
  assertSame(actual.gradient, expected.gradient, `gradient ${label}`);
}

/** Runs `body` on 1, 2 and 3 threads, restoring the thread count and the wasm backend after. */
async function onThreads(body: (threads: number) => void): Promise<void> {
  const before = getThreadCount();
  try {
    for (const threads of [1, 2, 3]) {
      await setThreadCount(threads);
      await threadsReady();
      body(threads);
    }
  } finally {
    setBackend('wasm');
    await setThreadCount(before);
  }
}

test('fractionalMaxPool2d/3d on wasm equal the reference bit for bit (output, indices, gradient), 1-3 threads', async () => {
  const random = generator(99);
  const kinds: ValueKind[] = ['plain', 'ties', 'negative', 'special'];
  const cases = Array.from({ length: 24 }, (_, index) => {
    const rank = index % 3 === 2 ? 3 : 2;
    const spatial = Array.from({ length: rank }, () => 3 + Math.floor(random() * 9));
    const channels = 1 + Math.floor(random() * 10);
    const channelsLast = Math.floor(index / 4) % 2 === 0; // every value kind in both layouts
    const shape = [1 + Math.floor(random() * 3), ...(channelsLast ? [...spatial, channels] : [channels, ...spatial])];
    const options: Record<string, unknown> = {
      outputRatio: 0.5 + random() * 0.45,
      dataFormat: channelsLast ? ('channelsLast' as const) : ('channelsFirst' as const),
      ...[{}, { kernelSize: 2 }, { overlapping: true }, { sequence: 'random' }][index % 4],
    };
    return { rank: rank as 2 | 3, shape, options, kind: kinds[index % 4]!, seed: index + 1 };
  });
  await onThreads((threads) => {
    for (const { rank, shape, options, kind, seed } of cases) {
      tidy(() => {
        const input = filled(shape, kind, seed);
        const label = `case ${seed} ${JSON.stringify(options)} [${shape.join(', ')}], ${threads} threads`;
        const pool = rank === 2 ? fractionalMaxPool2d : fractionalMaxPool3d;
        assertSameOnBackends(input, seed, label, (x) => pool(x, { ...options, seed, returnIndices: true }));
      });
    }
  });
});

test('spatialPyramidPool on wasm equals the reference bit for bit (max composed of adaptive max pooling; average), 1-3 threads', async () => {
  const random = generator(7);
  const kinds: ValueKind[] = ['plain', 'ties', 'negative', 'special'];
  const cases = Array.from({ length: 16 }, (_, index) => {
    const [height, width] = [1 + Math.floor(random() * 12), 1 + Math.floor(random() * 12)];
    const channels = 1 + Math.floor(random() * 9);
    const channelsLast = Math.floor(index / 4) % 2 === 0; // every value kind in both layouts
    const shape = [
      1 + Math.floor(random() * 3),
      ...(channelsLast ? [height, width, channels] : [channels, height, width]),
    ];
    const levels = [[1, 2, 4], [3], [5, 1, 2], [2, 7]][index % 4]!; // levels above the input size too
    const options = {
      levels,
      mode: index % 5 === 4 ? ('average' as const) : ('max' as const),
      dataFormat: channelsLast ? ('channelsLast' as const) : ('channelsFirst' as const),
    };
    return { shape, options, kind: kinds[index % 4]!, seed: index + 1 };
  });
  await onThreads((threads) => {
    for (const { shape, options, kind, seed } of cases) {
      tidy(() => {
        const input = filled(shape, kind, seed);
        const label = `case ${seed} ${JSON.stringify(options)} [${shape.join(', ')}], ${threads} threads`;
        assertSameOnBackends(input, seed, label, (x) => spatialPyramidPool(x, options));
      });
    }
  });
});

test('s3Pool1d/2d/3d on wasm equal the reference bit for bit (output, gradient), 1-3 threads', async () => {
  const random = generator(3);
  const kinds: ValueKind[] = ['plain', 'ties', 'negative', 'special'];
  const pools = [s3Pool1d, s3Pool2d, s3Pool3d];
  // Windows 1 to 3 wide (sampledMaxPoolForward's window walk), 1 to 21 channels (SIMD remainders),
  // the training draws and the inference grid.
  const cases = Array.from({ length: 36 }, (_, index) => {
    const rank = 1 + (index % 3);
    const spatial = Array.from({ length: rank }, () => 3 + Math.floor(random() * 9));
    const channels = 1 + Math.floor(random() * 21);
    const channelsLast = Math.floor(index / 3) % 2 === 0;
    const shape = [1 + Math.floor(random() * 3), ...(channelsLast ? [...spatial, channels] : [channels, ...spatial])];
    const stride = 1 + Math.floor(random() * 3);
    const options = {
      kernelSize: [2, 2, 3, 1][Math.floor(index / 6) % 4]!,
      stride,
      gridSize: stride * (1 + (index % 2)),
      training: index % 5 !== 4,
      dataFormat: channelsLast ? ('channelsLast' as const) : ('channelsFirst' as const),
    };
    return { rank, shape, options, kind: kinds[index % 4]!, seed: index + 1 };
  });

  await onThreads((threads) => {
    for (const { rank, shape, options, kind, seed } of cases) {
      tidy(() => {
        const input = filled(shape, kind, seed);
        const label = `case ${seed} ${JSON.stringify(options)} [${shape.join(', ')}], ${threads} threads`;
        assertSameOnBackends(input, seed, label, (x) => pools[rank - 1]!(x, { ...options, seed }));
      });
    }
  });
});

test('maskedPool1d on wasm equals the reference bit for bit (max, average, lp; all-padding rows), 1-3 threads', async () => {
  const random = generator(11);
  const kinds: ValueKind[] = ['plain', 'ties', 'negative', 'special'];
  const cases = Array.from({ length: 24 }, (_, index) => {
    const [batch, time] = [1 + Math.floor(random() * 4), 1 + Math.floor(random() * 9)];
    const features = (index % 2 === 0 ? 5 : 1) + Math.floor(random() * 7); // vectors of four and remainders
    // Any pattern of real steps; the last sample all padding in every third case.
    const mask = Array.from({ length: batch * time }, (_, cell) =>
      index % 3 === 0 && cell >= (batch - 1) * time ? 0 : random() < 0.7 ? 1 : 0,
    );
    const mode = (['max', 'average', 'lp'] as const)[index % 3]!;
    // Every value kind with every mode.
    return { shape: [batch, time, features], mask, mode, kind: kinds[Math.floor(index / 3) % 4]!, seed: index + 1 };
  });

  await onThreads((threads) => {
    for (const { shape, mask, mode, kind, seed } of cases) {
      tidy(() => {
        const input = filled(shape, kind, seed);
        const label = `case ${seed} ${mode} [${shape.join(', ')}], ${threads} threads`;
        const maskTensor = tensor(mask, shape.slice(0, 2));
        assertSameOnBackends(input, seed, label, (x) => maskedPool1d(x, { mask: maskTensor, mode }));
      });
    }
  });
});

/**
 * 32 RoI cases from `seed`: every combination of layout (bit 0 of the index), channels past four
 * and up to 34 (bit 1: the sixteen-channel walks and their remainders), the kind's own switch (bit 2, read by `options`) and value kind (bits 3-4); images up to
 * 11 × 11, up to five boxes [batch index, x1, y1, x2, y2], some past the image or reversed.
 */
function roiCases<Options>(seed: number, options: (index: number, random: () => number) => Options) {
  const random = generator(seed);
  const kinds: ValueKind[] = ['plain', 'ties', 'negative', 'special'];
  return Array.from({ length: 32 }, (_, index) => {
    const [batch, height, width] = [1, 2, 2].map((least) => least + Math.floor(random() * (least === 1 ? 3 : 10)));
    const channels = index & 2 ? 5 + Math.floor(random() * 30) : 1 + Math.floor(random() * 6); // past 16 too
    const channelsLast = (index & 1) === 0;
    const shape = channelsLast ? [batch!, height!, width!, channels] : [batch!, channels, height!, width!];
    const boxes = Array.from({ length: 1 + Math.floor(random() * 5) }, () => [
      Math.floor(random() * batch!),
      ...Array.from({ length: 4 }, () => (random() - 0.2) * 1.3 * Math.max(height!, width!)),
    ]);
    const common = {
      outputSize: [1 + Math.floor(random() * 4), 1 + Math.floor(random() * 4)] as [number, number],
      spatialScale: [1, 0.5, 0.7][index % 3]!,
      dataFormat: channelsLast ? ('channelsLast' as const) : ('channelsFirst' as const),
    };
    return {
      shape,
      boxes,
      options: { ...common, ...options(index, random) },
      kind: kinds[index >> 3]!,
      seed: index + 1,
    };
  });
}

/**
 * Boxes that share corners (the wasm side tabulates their bins once: the seed CNN's whole-map
 * boxes; one corner apart is another box), in both layouts, channel counts with and without a
 * remainder past four; each case twice, the second time with every corner moved (the wasm side
 * keeps the last call's tables).
 */
function sharedBoxCases<Options extends object>(kindOptions: Options) {
  return [7, 8, 13, 37].flatMap((channels, index) => {
    const channelsLast = index !== 1;
    const shape = channelsLast ? [3, 9, 8, channels] : [3, channels, 9, 8];
    const whole = [0, 0, 8, 9];
    const boxes = [
      [2, ...whole],
      [0, 1, 2, 6, 7.5],
      [1, ...whole],
      [1, 0, 0, 8, 6],
      [0, ...whole],
      [2, 1, 2, 6, 7.5],
    ];
    const options = {
      outputSize: [4, 3] as [number, number],
      spatialScale: 1,
      dataFormat: channelsLast ? ('channelsLast' as const) : ('channelsFirst' as const),
      ...kindOptions,
    };
    const moved = boxes.map(([image, ...corners]) => [image!, ...corners.map((corner) => corner + 1.25)]);
    return [boxes, moved].map((caseBoxes) => ({
      shape,
      boxes: caseBoxes,
      options,
      kind: 'plain' as ValueKind,
      seed: 100 + index,
    }));
  });
}

/** Each case's op on wasm equals it on the reference backend, on 1, 2 and 3 threads. */
async function assertRoiCases<Options>(
  cases: ReturnType<typeof roiCases<Options>>,
  pool: (input: Tensor, boxes: Tensor, options: ReturnType<typeof roiCases<Options>>[number]['options']) => Tensor,
): Promise<void> {
  await onThreads((threads) => {
    for (const { shape, boxes, options, kind, seed } of cases) {
      tidy(() => {
        const input = filled(shape, kind, seed);
        const boxTensor = tensor(boxes);
        const label = `case ${seed} ${JSON.stringify(options)} [${shape.join(', ')}], ${threads} threads`;
        assertSameOnBackends(input, seed, label, (x) => pool(x, boxTensor, options));
      });
    }
  });
}

test('roiPool on wasm equals the reference bit for bit (both max rules, overlapping, empty and off-image boxes), 1-3 threads', async () => {
  const cases = roiCases(21, (index) => ({ maxRule: index & 4 ? ('onnx' as const) : ('torchvision' as const) }));
  cases.push(...sharedBoxCases({ maxRule: 'torchvision' as const }));
  await assertRoiCases(cases, (input, boxes, options) => roiPool(input, boxes, options));
});

test('roiAlign on wasm equals the reference bit for bit (average and max, aligned, sampling ratios, boxes off the image), 1-3 threads', async () => {
  const cases = roiCases(31, (index) => ({
    samplingRatio: [0, 2, 1, -1][(index >> 1) % 4]!,
    aligned: index % 5 < 2,
    mode: index & 4 ? ('max' as const) : ('average' as const),
  }));
  // A reversed box with aligned and adaptive sampling: both grid sizes negative, so their product
  // (the samples' capacity) is positive while the bin has no sample at all.
  for (const mode of ['max', 'average'] as const) {
    const options = {
      outputSize: [2, 1] as [number, number],
      spatialScale: 0.5,
      samplingRatio: -1,
      aligned: true,
      mode,
    };
    const reversed = { ...options, dataFormat: 'channelsFirst' as const };
    cases.push({ shape: [1, 5, 6, 8], boxes: [[0, 7, 6.9, 0.9, 2]], options: reversed, kind: 'negative', seed: 99 });
  }
  cases.push(...sharedBoxCases({ samplingRatio: 0, aligned: false, mode: 'average' as const }));
  await assertRoiCases(cases, (input, boxes, options) => roiAlign(input, boxes, options));
});

test('roiAlign on wasm equals the reference bit for bit with whole-map boxes (the seed layer: the backward gathers each image from zero), 1-3 threads', async () => {
  const kinds: ValueKind[] = ['plain', 'special', 'ties', 'negative'];
  const cases = [
    { image: [26, 26], channels: 32, outputSize: [13, 13], aligned: false },
    { image: [7, 10], channels: 9, outputSize: [3, 4], aligned: false },
    { image: [5, 6], channels: 3, outputSize: [2, 2], aligned: true },
    { image: [9, 4], channels: 6, outputSize: [4, 1], aligned: true },
  ].flatMap(({ image: [height, width], channels, outputSize, aligned }, index) => {
    const channelsLast = index !== 2;
    const shape = channelsLast ? [3, height!, width!, channels] : [3, channels, height!, width!];
    const end = aligned ? 0 : 1;
    const whole = [0, 0, width! - end, height! - end];
    const options = {
      outputSize: outputSize as [number, number],
      spatialScale: 1,
      samplingRatio: index === 3 ? 3 : 0,
      aligned,
      mode: 'average' as const,
      dataFormat: channelsLast ? ('channelsLast' as const) : ('channelsFirst' as const),
    };
    const seedBoxes = [0, 1, 2].map((image) => [image, ...whole]);
    // image 0: a whole-map box, then a smaller one added; image 1 none; image 2 a smaller one, then the whole map
    const mixed = [
      [0, ...whole],
      [0, 1, 0.5, width! / 2, height! - 1],
      [2, 0.5, 1, 3, 3],
      [2, ...whole],
    ];
    return [seedBoxes, mixed].map((boxes) => ({ shape, boxes, options, kind: kinds[index]!, seed: 200 + index }));
  });
  await assertRoiCases(cases, (input, boxes, options) => roiAlign(input, boxes, options));
});
