// The table-driven region kinds on the GPU (fractional max pooling, S3's grid sample) through their
// ops on webgpu against the reference backend, bit for bit: output, indices and input gradient (the
// backward is the argmax scatter-add, on the GPU too), on random shapes, both layouts, NaN, ±Infinity.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  fractionalMaxPool2d,
  fractionalMaxPool3d,
  getBackend,
  s3Pool1d,
  s3Pool2d,
  s3Pool3d,
  setBackend,
  spatialPyramidPool,
  webGpuStatus,
  type Tensor,
} from '../../src/index.js';
import { tidy } from '../../src/tensor/scope.js';
import { assertSame, filled, generator, type ValueKind } from '../wasm/harness.js';
import { assertWithin, skip } from './harness.js';
import { opResults, type PoolOp } from '../helpers/op-results.js';

type Pool = PoolOp;

/**
 * The op on webgpu (kernels `names` on the GPU `calls` times each) equals it on the reference backend: bit
 * for bit, or within `bound` (an absolute bound for output and gradient) where given.
 */
function assertSameOnGpu(
  names: string | readonly string[],
  input: Tensor,
  seed: number,
  label: string,
  pool: Pool,
  calls = 1,
  bound = 0,
): void {
  const before = getBackend();
  try {
    const expected = opResults('reference', input, seed, pool);
    const kernels = typeof names === 'string' ? [names] : names;
    const counts = kernels.map((name) => webGpuStatus()!.gpuCalls[name] ?? 0);
    const actual = opResults('webgpu', input, seed, pool);
    kernels.forEach((name, index) =>
      assert.equal(webGpuStatus()!.gpuCalls[name], counts[index]! + calls, `${name} ran on the GPU (${label})`),
    );
    assertSame(actual.indices, expected.indices, `indices ${label}`);
    if (bound > 0) {
      assertWithin(actual.output, expected.output, () => bound, `output ${label}`);
      assertWithin(actual.gradient, expected.gradient, () => bound, `gradient ${label}`);
      return;
    }
    assertSame(actual.output, expected.output, `output ${label}`);
    assertSame(actual.gradient, expected.gradient, `gradient ${label}`);
  } finally {
    setBackend(before);
  }
}

const kinds: ValueKind[] = ['plain', 'ties', 'negative', 'special'];

test('fractionalMaxPool2d/3d on webgpu equal the reference bit for bit (output, indices, gradient)', { skip }, () => {
  const random = generator(99);
  for (let index = 0; index < 16; index++) {
    const rank = index % 3 === 2 ? 3 : 2;
    const spatial = Array.from({ length: rank }, () => 3 + Math.floor(random() * 7));
    const channels = 1 + Math.floor(random() * 5);
    const channelsLast = Math.floor(index / 4) % 2 === 0;
    const shape = [1 + Math.floor(random() * 2), ...(channelsLast ? [...spatial, channels] : [channels, ...spatial])];
    const options = {
      outputRatio: 0.5 + random() * 0.45,
      dataFormat: channelsLast ? ('channelsLast' as const) : ('channelsFirst' as const),
      ...[{}, { kernelSize: 2 }, { overlapping: true }, { sequence: 'random' as const }][index % 4],
    };
    const seed = index + 1;
    tidy(() => {
      const input = filled(shape, kinds[index % 4]!, seed);
      const pool = rank === 2 ? fractionalMaxPool2d : fractionalMaxPool3d;
      const label = `case ${seed} ${JSON.stringify(options)} [${shape.join(', ')}]`;
      assertSameOnGpu('fractionalMaxPoolForward', input, seed, label, (x) =>
        pool(x, { ...options, seed, returnIndices: true }),
      );
    });
  }
});

test('s3Pool1d/2d/3d on webgpu equal the reference bit for bit (output, gradient)', { skip }, () => {
  const random = generator(3);
  const pools = [s3Pool1d, s3Pool2d, s3Pool3d];
  for (let index = 0; index < 12; index++) {
    const rank = 1 + (index % 3);
    const spatial = Array.from({ length: rank }, () => 2 + Math.floor(random() * 7));
    const channels = 1 + Math.floor(random() * 5);
    const channelsLast = Math.floor(index / 3) % 2 === 0;
    const shape = [1 + Math.floor(random() * 2), ...(channelsLast ? [...spatial, channels] : [channels, ...spatial])];
    const stride = 1 + Math.floor(random() * 3);
    const options = {
      kernelSize: 2,
      stride,
      gridSize: stride * (1 + (index % 2)),
      dataFormat: channelsLast ? ('channelsLast' as const) : ('channelsFirst' as const),
    };
    const seed = index + 1;
    tidy(() => {
      const input = filled(shape, kinds[index % 4]!, seed);
      const label = `case ${seed} ${JSON.stringify(options)} [${shape.join(', ')}]`;
      assertSameOnGpu('gridSampleForward', input, seed, label, (x) => pools[rank - 1]!(x, { ...options, seed }));
    });
  }
});

test(
  'spatialPyramidPool on webgpu: max bit for bit, average within (cells + 4) ulp of the largest value',
  { skip },
  () => {
    const random = generator(7);
    for (let index = 0; index < 12; index++) {
      const [height, width] = [1 + Math.floor(random() * 9), 1 + Math.floor(random() * 9)];
      const channels = 1 + Math.floor(random() * 5);
      const channelsLast = Math.floor(index / 4) % 2 === 0;
      const shape = [
        1 + Math.floor(random() * 2),
        ...(channelsLast ? [height, width, channels] : [channels, height, width]),
      ];
      const levels = [[1, 2, 4], [3], [5, 1, 2], [2, 7]][index % 4]!; // levels above the input size too
      const mode = index % 3 === 2 ? ('average' as const) : ('max' as const);
      const options = {
        levels,
        mode,
        dataFormat: channelsLast ? ('channelsLast' as const) : ('channelsFirst' as const),
      };
      const seed = index + 1;
      // An average's float32 sum of a window's cells (at most the plane; values up to 11 in size); its
      // gradient adds one share per level (plain gradients: up to 4).
      const bound = mode === 'average' ? (height * width + 4) * 2 ** -23 * 11 : 0;
      tidy(() => {
        const input = filled(shape, kinds[index % 4]!, seed);
        const label = `case ${seed} ${JSON.stringify(options)} [${shape.join(', ')}]`;
        assertSameOnGpu(
          ['sppForward', 'sppBackward'],
          input,
          seed,
          label,
          (x) => spatialPyramidPool(x, options),
          levels.length,
          bound,
        );
      });
    }
  },
);
