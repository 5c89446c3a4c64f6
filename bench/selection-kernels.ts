// The selection family's kernels (min, median, random, stochastic, mixed, gated, ordinal) timed
// against max pooling's in the same run, kernel calls alone (no op, no tape), on the seed CNN's
// pooling input (NHWC [128, 26, 26, 32], 2x2/2): the median of several calls, forward and backward,
// as ratios to max pooling's, in CPU time (run it on one thread); gated with its forward-keep room,
// as in training. For quick before/after checks while working on a kernel.
// Usage: POOLKIT_THREADS=1 npx tsx bench/selection-kernels.ts [kinds] [--shape n,h,w,c]
import { parseArgs } from 'node:util';
import { poolGeometry, type PoolGeometry } from '../src/geometry/pool-geometry.js';
import type { Kernels } from '../src/kernels/types.js';
import { wasmBackend } from '../src/kernels/wasm/index.js';
import { Tensor } from '../src/tensor/tensor.js';
import { medianCpuMs as timed } from './pooling-timing.js';
import { KEPT_GATE_PLANES, keptLength } from '../src/pooling/kinds/forward-keep.js';

/** Forward and backward of one kind: closures over its tensors (null: no backward kernel of its own). */
type Passes = [() => void, (() => void) | null];

function filled(shape: readonly number[], low: number, high: number): Tensor {
  const tensor = Tensor.allocate(shape);
  for (let index = 0; index < tensor.values.length; index++) tensor.values[index] = low + Math.random() * (high - low);
  return tensor;
}

function kindPasses(name: string, kernels: Kernels, geometry: PoolGeometry, input: Tensor): Passes {
  const output = Tensor.allocate(geometry.outputShape);
  const chosen = Tensor.allocate(geometry.outputShape, 'int32');
  const gradOutput = filled(geometry.outputShape, -1, 1);
  const gradInput = Tensor.allocate(geometry.inputShape);
  const draws = { low: (Math.random() * 2 ** 32) | 0, high: (Math.random() * 2 ** 32) | 0 }; // a DrawKey
  const taps = geometry.kernelDepth * geometry.kernelHeight * geometry.kernelWidth;
  const weights = filled([taps], -1, 1);
  const alpha = filled([1], 0, 1);
  const gradWeights = Tensor.allocate([taps]);
  const room = Tensor.allocate([keptLength(geometry, KEPT_GATE_PLANES, 0)]); // gated's gates, as in training
  const [x, y, i, g, gx] = [input.values, output.values, chosen.intValues, gradOutput.values, gradInput.values];
  const scatter = (): void => kernels.maxPoolBackward(g, i, gx, geometry);
  const table: Record<string, Passes> = {
    max: [() => kernels.maxPoolForward(x, y, i, geometry), scatter],
    min: [() => kernels.minPoolForward(x, y, i, geometry), scatter],
    median: [() => kernels.medianPoolForward(x, y, i, geometry), scatter],
    random: [() => kernels.randomPoolForward(x, y, i, draws, geometry), scatter],
    stochastic: [
      () => kernels.stochasticPoolForward(x, y, i, draws, geometry),
      () => kernels.stochasticPoolBackward(x, i, g, gx, geometry),
    ],
    mixed: [
      () => kernels.mixedPoolForward(x, alpha.values, y, geometry),
      () => kernels.mixedPoolBackward(x, alpha.values, g, gx, gradWeights.values.subarray(0, 1), geometry),
    ],
    gated: [
      () => kernels.gatedPoolForward(x, weights.values, y, geometry, room.values),
      () => kernels.gatedPoolBackward(x, weights.values, g, gx, gradWeights.values, geometry, room.values),
    ],
    ordinal: [
      () => kernels.ordinalPoolForward(x, weights.values, y, geometry),
      () => kernels.ordinalPoolBackward(x, weights.values, g, gx, gradWeights.values, geometry),
    ],
  };
  const passes = table[name];
  if (passes === undefined) throw new Error(`selection-kernels: no kind '${name}'`);
  passes[0](); // the backward passes read the chosen cells
  return passes;
}

const { values, positionals } = parseArgs({ options: { shape: { type: 'string' } }, allowPositionals: true });
const shape = (values.shape ?? '128,26,26,32').split(',').map(Number);
const names = (positionals[0] ?? 'min,median,random,stochastic,mixed,gated,ordinal').split(',');
const kernels = wasmBackend!.kernels as Kernels;
const geometry = poolGeometry('bench', shape, 2, { kernelSize: 2, stride: 2, dataFormat: 'channelsLast' });
const input = filled(shape, -2, 2);
const max = kindPasses('max', kernels, geometry, input);
console.log(`NHWC [${shape.join(',')}] 2x2/2, kernel calls alone, median CPU ms`);
for (const name of names) {
  const ours = kindPasses(name, kernels, geometry, input);
  const [maxForward, forward] = [timed(max[0]), timed(ours[0])];
  const [maxBackward, backward] = [timed(max[1]!), timed(ours[1]!)];
  console.log(
    `${name.padEnd(10)} forward ${forward.toFixed(2)} ms (${(forward / maxForward).toFixed(2)}× max)` +
      `  backward ${backward.toFixed(2)} ms (${(backward / maxBackward).toFixed(2)}× max)`,
  );
}
