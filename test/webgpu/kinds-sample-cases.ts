// Random cases of the kinds that pool each sample whole (attention, covariance): global geometries of
// 1 to 3 spatial axes in either layout, small (SwiftShader emulates the GPU), and square kernels.
import fc from 'fast-check';
import type { SpatialDims } from '../../src/geometry/layout.js';
import { globalSetUp } from '../../src/pooling/global-steps.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { generator, type ValueKind } from '../wasm/harness.js';

export interface SampleCase {
  readonly geometry: ReturnType<typeof globalSetUp>['geometry'];
  readonly values: ValueKind;
  readonly seed: number;
}

export function sampleCases(values: readonly ValueKind[], maxChannels = 5): fc.Arbitrary<SampleCase> {
  return fc
    .record({
      spatialDims: fc.constantFrom<SpatialDims>(1, 2, 3),
      batch: fc.integer({ min: 1, max: 3 }),
      channels: fc.integer({ min: 1, max: maxChannels }),
      format: fc.constantFrom('channelsLast' as const, 'channelsFirst' as const),
      sizes: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 3, maxLength: 3 }),
      values: fc.constantFrom(...values),
      seed: fc.integer({ min: 1, max: 1 << 30 }),
    })
    .map((draw) => {
      const spatial = draw.sizes.slice(3 - draw.spatialDims);
      const shape =
        draw.format === 'channelsLast'
          ? [draw.batch, ...spatial, draw.channels]
          : [draw.batch, draw.channels, ...spatial];
      const { geometry } = globalSetUp('test', shape, { dataFormat: draw.format });
      return { geometry, values: draw.values, seed: draw.seed };
    });
}

/** A size × size matrix of values in [−1, 1), or the identity plus such values / 4 (seed decides). */
export function squareMatrix(size: number, seed: number): Tensor {
  const random = generator(seed);
  const matrix = Tensor.allocate([size, size]);
  for (let index = 0; index < size * size; index++) {
    const value = random() * 2 - 1;
    matrix.values[index] = seed % 2 === 0 ? value : (index % (size + 1) === 0 ? 1 : 0) + value / 4;
  }
  return matrix;
}

/** The largest |value| of each sample's `perSample` consecutive elements, NaN and infinities left out. */
export function sampleMaxima(values: ArrayLike<number>, perSample: number): number[] {
  const maxima: number[] = [];
  for (let index = 0; index < values.length; index++) {
    const sample = Math.floor(index / perSample);
    const value = Number.isFinite(values[index]!) ? Math.abs(values[index]!) : 0;
    maxima[sample] = Math.max(maxima[sample] ?? 0, value);
  }
  return maxima;
}
