// Shared pieces of the wasm kernel tests: random pooling cases (fast-check), tensors in the shared
// heap, and an exact comparison that treats NaN as equal to NaN and tells -0 from +0.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { adaptiveGeometry, type AdaptiveGeometry } from '../../src/geometry/adaptive-geometry.js';
import { poolGeometry, type PoolGeometry, type PoolOptions } from '../../src/geometry/pool-geometry.js';
import type { SpatialDims } from '../../src/geometry/layout.js';
import { referencePoolKernels } from '../../src/kernels/reference/pool-kernels.js';
import type { PoolKernels } from '../../src/kernels/types.js';
import { setThreadCount, threadsReady, wasmBackend } from '../../src/kernels/wasm/index.js';
import { Tensor } from '../../src/tensor/tensor.js';

export const reference: PoolKernels = referencePoolKernels;

/** The wasm pool kernels; the tests fail (not skip) where SIMD is missing, since Node 20 has it. */
export function wasm(): PoolKernels {
  assert.ok(wasmBackend !== null, 'the wasm backend did not register');
  return wasmBackend.kernels as PoolKernels;
}

/** Kinds of values: plain, small integers (many ties), all negative, with NaN and ±Infinity. */
export type ValueKind = 'plain' | 'ties' | 'negative' | 'special';

export interface PoolCase {
  readonly geometry: PoolGeometry;
  readonly values: ValueKind;
  readonly seed: number;
}

const formats = fc.constantFrom('channelsLast' as const, 'channelsFirst' as const);
const valueKinds = fc.constantFrom<ValueKind>('plain', 'ties', 'negative', 'special');

/** Bounds of the random cases: input sizes, channels, and window sizes, dilations and pads per axis. */
export interface CaseBounds {
  maxSize?: number;
  maxChannels?: number;
  maxKernel?: number;
  maxDilation?: number;
  maxPad?: number;
}

/** Random pooling options and shapes; cases poolGeometry rejects are filtered out. */
export function poolCases(options: CaseBounds = {}): fc.Arbitrary<PoolCase> {
  const maxSize = options.maxSize ?? 9;
  const axis = fc.record({
    size: fc.integer({ min: 1, max: maxSize }),
    kernel: fc.integer({ min: 1, max: options.maxKernel ?? 5 }),
    stride: fc.integer({ min: 1, max: 6 }),
    dilation: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: options.maxDilation ?? 3 })),
    before: fc.integer({ min: 0, max: options.maxPad ?? 2 }),
    after: fc.integer({ min: 0, max: options.maxPad ?? 2 }),
  });
  return fc
    .record({
      spatialDims: fc.constantFrom<SpatialDims>(1, 2, 2, 2, 3),
      batch: fc.integer({ min: 1, max: 3 }),
      channels: fc.integer({ min: 1, max: options.maxChannels ?? 13 }),
      format: formats,
      axes: fc.array(axis, { minLength: 3, maxLength: 3 }),
      padding: fc.constantFrom('valid', 'same', 'explicit'),
      ceilMode: fc.boolean(),
      values: valueKinds,
      seed: fc.integer({ min: 1, max: 1 << 30 }),
    })
    .map((draw) => {
      const axes = draw.axes.slice(3 - draw.spatialDims);
      const spatial = axes.map((item) => item.size);
      const shape =
        draw.format === 'channelsLast'
          ? [draw.batch, ...spatial, draw.channels]
          : [draw.batch, draw.channels, ...spatial];
      const explicit = axes.map((item) => [
        Math.min(item.before, Math.floor(item.kernel / 2)),
        Math.min(item.after, Math.floor(item.kernel / 2)),
      ]) as [number, number][];
      const poolOptions: PoolOptions = {
        kernelSize: axes.map((item) => item.kernel),
        stride: axes.map((item) => item.stride),
        dilation: axes.map((item) => item.dilation),
        padding: draw.padding === 'explicit' ? explicit : (draw.padding as 'valid' | 'same'),
        ceilMode: draw.padding !== 'same' && draw.ceilMode,
        dataFormat: draw.format,
      };
      try {
        return {
          geometry: poolGeometry('test', shape, draw.spatialDims, poolOptions),
          values: draw.values,
          seed: draw.seed,
        };
      } catch {
        return null;
      }
    })
    .filter((item): item is PoolCase => item !== null);
}

/**
 * Dense pooling as MaxBlurPool and S3Pool run it: 2x2 windows (depth 1 or 2 at rank 3) at stride 1,
 * no padding, on 1 to 14 cells per axis and 1 to 21 channels (SIMD remainders), both formats.
 */
export function denseCases(): fc.Arbitrary<PoolCase> {
  return fc
    .record({
      spatialDims: fc.constantFrom<SpatialDims>(1, 2, 2, 2, 3),
      batch: fc.integer({ min: 1, max: 3 }),
      channels: fc.integer({ min: 1, max: 21 }),
      format: formats,
      sizes: fc.array(fc.integer({ min: 2, max: 14 }), { minLength: 3, maxLength: 3 }),
      depthKernel: fc.constantFrom(1, 2),
      values: valueKinds,
      seed: fc.integer({ min: 1, max: 1 << 30 }),
    })
    .map((draw) => {
      const spatial = draw.sizes.slice(3 - draw.spatialDims);
      const kernelSize = [draw.depthKernel, 2, 2].slice(3 - draw.spatialDims);
      const shape =
        draw.format === 'channelsLast'
          ? [draw.batch, ...spatial, draw.channels]
          : [draw.batch, draw.channels, ...spatial];
      const poolOptions: PoolOptions = { kernelSize, stride: 1, padding: 'valid', dataFormat: draw.format };
      return {
        geometry: poolGeometry('test', shape, draw.spatialDims, poolOptions),
        values: draw.values,
        seed: draw.seed,
      };
    });
}

export interface AdaptiveCase {
  readonly geometry: AdaptiveGeometry;
  readonly values: ValueKind;
  readonly seed: number;
}

export function adaptiveCases(maxChannels = 13): fc.Arbitrary<AdaptiveCase> {
  return fc
    .record({
      spatialDims: fc.constantFrom<SpatialDims>(1, 2, 3),
      batch: fc.integer({ min: 1, max: 3 }),
      channels: fc.integer({ min: 1, max: maxChannels }),
      format: formats,
      inSizes: fc.array(fc.integer({ min: 1, max: 11 }), { minLength: 3, maxLength: 3 }),
      outSizes: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 3, maxLength: 3 }),
      values: valueKinds,
      seed: fc.integer({ min: 1, max: 1 << 30 }),
    })
    .map((draw) => {
      const spatial = draw.inSizes.slice(3 - draw.spatialDims);
      const shape =
        draw.format === 'channelsLast'
          ? [draw.batch, ...spatial, draw.channels]
          : [draw.batch, draw.channels, ...spatial];
      const outSizes = draw.outSizes.slice(3 - draw.spatialDims);
      const geometry = adaptiveGeometry('test', shape, draw.spatialDims, outSizes, draw.format);
      return { geometry, values: draw.values, seed: draw.seed };
    });
}

/** A deterministic generator (mulberry32), so a failing case replays from its seed. */
export function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** A float32 tensor in the heap filled with values of `kind`. */
export function filled(shape: readonly number[], kind: ValueKind, seed: number): Tensor {
  const tensor = Tensor.allocate(shape);
  const random = generator(seed);
  const data = tensor.values;
  for (let index = 0; index < data.length; index++) {
    const uniform = random();
    if (kind === 'ties') data[index] = Math.floor(uniform * 4) - 1;
    else if (kind === 'negative') data[index] = -1 - uniform * 10;
    else if (kind === 'special' && uniform < 0.08) data[index] = NaN;
    else if (kind === 'special' && uniform < 0.14) data[index] = uniform < 0.11 ? -Infinity : Infinity;
    else if (kind === 'special' && uniform < 0.2) data[index] = uniform < 0.17 ? 0 : -0;
    else data[index] = (uniform - 0.5) * 8;
  }
  return tensor;
}

/** A tensor whose every element is a value no kernel writes, so a missed element shows. */
export function poisoned(shape: readonly number[], dtype: 'float32' | 'int32' = 'float32'): Tensor {
  const tensor = Tensor.allocate(shape, dtype);
  if (dtype === 'float32') tensor.values.fill(12345.5);
  else tensor.intValues.fill(-777);
  return tensor;
}

/** Element-wise identity: same bits up to NaN payloads (NaN equals NaN, -0 differs from +0). */
export function assertSame(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let index = 0; index < actual.length; index++) {
    const got = actual[index]!;
    const want = expected[index]!;
    if (!(Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want)))) {
      assert.fail(`${label}[${index}]: wasm ${show(got)} != reference ${show(want)}`);
    }
  }
}

const show = (value: number): string => (Object.is(value, -0) ? '-0' : String(value));

/** Runs `body` on 1, 2 and 3 threads, then goes back to 1. */
export async function onEachThreadCount(body: (threads: number) => void): Promise<void> {
  for (const threads of [1, 2, 3]) {
    await setThreadCount(threads);
    await threadsReady();
    body(threads);
  }
  await setThreadCount(1);
}

/** Runs fast-check with a fixed seed by default (POOLKIT_FC_SEED to explore others). */
export function check<T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => void, numRuns: number): void {
  const seed = Number(process.env.POOLKIT_FC_SEED ?? 20261123);
  fc.assert(fc.property(arbitrary, predicate), { numRuns, seed });
}

/** An output a kernel writes: its shape, and int32 for indices. */
export interface OutputSpec {
  readonly shape: readonly number[];
  readonly dtype?: 'float32' | 'int32';
}

/**
 * Runs one kernel call with the reference kernels and with `kernels`, each on fresh poisoned
 * outputs of `outputs`' specs; returns [reference outputs, `kernels`' outputs] as typed arrays.
 */
export function versusReference<Names extends keyof PoolKernels>(
  kernels: Pick<PoolKernels, Names>,
  outputs: readonly OutputSpec[],
  call: (table: Pick<PoolKernels, Names>, written: Tensor[]) => void,
): [(Float32Array | Int32Array)[], (Float32Array | Int32Array)[]] {
  const runWith = (table: Pick<PoolKernels, Names>) => {
    const written = outputs.map((spec) => poisoned(spec.shape, spec.dtype));
    call(table, written);
    return written.map((tensor, index) => (outputs[index]!.dtype === 'int32' ? tensor.intValues : tensor.values));
  };
  return [runWith(reference), runWith(kernels)];
}
