// What the weighted family's kernel tests share: the fast kernel table, agreement within a kind's
// tolerance, runs at 1 to 3 threads, random parameter tensors, and a forward's room for the backward.
import assert from 'node:assert/strict';
import type { PoolGeometry } from '../../src/geometry/pool-geometry.js';
import type { PoolingKernels } from '../../src/kernels/types.js';
import { setThreadCount, threadsReady } from '../../src/kernels/wasm/index.js';
import { setParallelThreshold } from '../../src/kernels/wasm/threads.js';
import { clearKept, keptLength } from '../../src/pooling/kinds/forward-keep.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { generator, poisoned, wasm } from './harness.js';

export const fast = (): Partial<PoolingKernels> => wasm() as unknown as Partial<PoolingKernels>;

export type Tolerance = { readonly relative: number; readonly absolute: number };

/** Element-wise agreement within |a − b| ≤ relative·|b| + absolute; NaN only with NaN, ±∞ only with itself. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: Tolerance,
  label: string,
): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let index = 0; index < actual.length; index++) {
    const got = actual[index]!;
    const want = expected[index]!;
    if (Number.isNaN(want) || !Number.isFinite(want)) {
      if (Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want))) continue;
    } else if (Math.abs(got - want) <= tolerance.relative * Math.abs(want) + tolerance.absolute) continue;
    assert.fail(`${label}[${index}]: wasm ${got} != reference ${want}`);
  }
}

/** Runs `body` with 1, 2 and 3 threads, the work split however small. */
export async function withThreads(body: (threads: number) => void): Promise<void> {
  setParallelThreshold(0);
  for (const threads of [1, 2, 3]) {
    await setThreadCount(threads);
    await threadsReady();
    body(threads);
  }
  setParallelThreshold();
}

export function filledWith(shape: readonly number[], value: number): Tensor {
  const tensor = Tensor.allocate(shape);
  tensor.values.fill(value);
  return tensor;
}

/** A parameter tensor of one value or one per channel, drawn from `choices`. */
export function parameter(geometry: PoolGeometry, seed: number, choices: readonly number[]): Tensor {
  const random = generator(seed);
  const p = Tensor.allocate([seed % 3 === 0 ? geometry.channels : 1]);
  for (let index = 0; index < p.values.length; index++)
    p.values[index] = choices[Math.floor(random() * choices.length)]!;
  return p;
}

/** ∂y/∂p sums terms over every window: its bound scales with their count. */
export const gradPTolerance = (geometry: PoolGeometry): Tolerance => ({
  relative: 1e-5,
  absolute: 1e-6 * geometry.outputShape.reduce((total, size) => total * size, 1),
});

/** A forward's room for the backward (forward-keep.ts), its mark cleared as the kinds' compute does. */
export function room(geometry: PoolGeometry, planes: number, cellPlanes?: number): Float32Array {
  const kept = poisoned([keptLength(geometry, planes, cellPlanes)]).values;
  clearKept(kept);
  return kept;
}
