// The WebAssembly layout kernel (assembly/train/transpose.ts): a batched 2D transpose in the shared
// heap, split among the threads by (plane, row tile) units.
import type { LayoutKernels, PlaneTranspose } from '../types.js';
import { argumentViews, type KernelModule } from './loader.js';
import { addressOf } from './pool-arguments.js';
import { parallelFor } from './threads.js';

/** Word numbers and the row tile: must equal assembly/train/transpose.ts. */
const enum PlaneWord {
  Rows = 56,
  Columns = 57,
  Source = 58,
  Target = 59,
}
const PLANE_ROW_TILE = 64;

function transposePlanes(
  train: KernelModule,
  source: Float32Array | Int32Array,
  target: Float32Array | Int32Array,
  { batch, rows, columns }: PlaneTranspose,
): void {
  const units = batch * Math.ceil(rows / PLANE_ROW_TILE);
  if (units === 0 || columns === 0) return;
  const words = argumentViews(train).ints;
  words[PlaneWord.Rows] = rows;
  words[PlaneWord.Columns] = columns;
  words[PlaneWord.Source] = addressOf(source);
  words[PlaneWord.Target] = addressOf(target);
  parallelFor(train, 'transposePlanes', units, 8 * batch * rows * columns);
}

export function createLayoutKernels(train: KernelModule): LayoutKernels {
  return { transposePlanes: (source, target, planes) => transposePlanes(train, source, target, planes) };
}
