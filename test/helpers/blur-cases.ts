// Random BlurPool and MaxBlurPool cases (geometry, value kind, seed) for the kernel tests of every fast backend.
import fc from 'fast-check';
import type { SpatialDims } from '../../src/geometry/layout.js';
import type { BlurGeometry } from '../../src/kernels/reference/extra/blur-pool.js';
import type { MaxBlurGeometry } from '../../src/kernels/reference/extra/max-blur-pool.js';
import { blurGeometry } from '../../src/pooling/kinds/blur-geometry.js';
import { maxBlurGeometries } from '../../src/pooling/kinds/max-blur.js';
import type { ValueKind } from '../wasm/harness.js';

export interface BlurCase {
  geometry: BlurGeometry;
  values: ValueKind;
  seed: number;
}

export interface MaxBlurCase {
  shape: number[];
  geometry: MaxBlurGeometry;
  values: ValueKind;
  seed: number;
}

interface Bounds {
  batch: number;
  channels: number;
  size: number;
}

/** A case's draws: rank, shape, the blur's options, value kind and seed. */
function blurDraws(bounds: Bounds) {
  return fc
    .record({
      rank: fc.constantFrom<SpatialDims>(1, 2, 2, 3),
      batch: fc.integer({ min: 1, max: bounds.batch }),
      channels: fc.integer({ min: 1, max: bounds.channels }),
      sizes: fc.array(fc.integer({ min: 1, max: bounds.size }), { minLength: 3, maxLength: 3 }),
      strides: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 3, maxLength: 3 }),
      filterSize: fc.integer({ min: 1, max: 7 }),
      padMode: fc.constantFrom('reflect', 'replicate', 'zero'),
      channelsLast: fc.boolean(),
      values: fc.constantFrom<ValueKind>('plain', 'ties', 'negative', 'special'),
      seed: fc.integer({ min: 1, max: 1 << 30 }),
    })
    .map((draw) => {
      const spatial = draw.sizes.slice(3 - draw.rank);
      const shape = draw.channelsLast
        ? [draw.batch, ...spatial, draw.channels]
        : [draw.batch, draw.channels, ...spatial];
      const options = {
        filterSize: draw.filterSize,
        stride: draw.strides.slice(3 - draw.rank),
        padMode: draw.padMode,
        dataFormat: draw.channelsLast ? 'channelsLast' : 'channelsFirst',
      };
      return { rank: draw.rank, shape, options, values: draw.values, seed: draw.seed };
    });
}

/** Random BlurPool geometries up to the given sizes; shapes the reflect padding rejects are filtered out. */
export function blurCases(bounds: Bounds = { batch: 3, channels: 11, size: 9 }): fc.Arbitrary<BlurCase> {
  return blurDraws(bounds)
    .map(({ rank, shape, options, values, seed }) => {
      try {
        return { geometry: blurGeometry('test', shape, rank, options), values, seed };
      } catch {
        return null;
      }
    })
    .filter((item): item is BlurCase => item !== null);
}

/** Random MaxBlurPool geometries: dense max windows 1–3 per axis, then the blur's options. */
export function maxBlurCases(bounds: Bounds = { batch: 3, channels: 11, size: 10 }): fc.Arbitrary<MaxBlurCase> {
  const windows = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 });
  return fc
    .tuple(blurDraws(bounds), windows)
    .map(([{ rank, shape, options, values, seed }, window]) => {
      try {
        const geometry = maxBlurGeometries('test', shape, rank, { ...options, kernelSize: window.slice(3 - rank) });
        return { shape, geometry, values, seed };
      } catch {
        return null;
      }
    })
    .filter((item): item is MaxBlurCase => item !== null);
}
