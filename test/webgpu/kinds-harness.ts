// What the kind kernels' GPU tests share: one kernel call on the reference table and on the GPU (which
// must run it, never its fallback), each on fresh outputs, and the random parameters and draws.
import type { PoolGeometry } from '../../src/geometry/pool-geometry.js';
import { referencePoolKernels } from '../../src/kernels/reference/pool-kernels.js';
import type { KindGpuKernels } from '../../src/kernels/webgpu/kind-kernels.js';
import { Random } from '../../src/tensor/random.js';
import { drawKey, type DrawKey } from '../../src/tensor/counter-draws.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { generator, poisoned } from '../wasm/harness.js';
import { gpu, onGpu } from './harness.js';

/** An array a kernel writes: its shape, int32 for indices, and zeroed first (a gradient the kernel adds into). */
export interface Written {
  readonly shape: readonly number[];
  readonly dtype?: 'float32' | 'int32';
  readonly zeroed?: boolean;
}

function fresh(spec: Written): Tensor {
  if (!spec.zeroed) return poisoned(spec.shape, spec.dtype);
  const tensor = Tensor.allocate(spec.shape, spec.dtype);
  (spec.dtype === 'int32' ? tensor.intValues : tensor.values).fill(0);
  return tensor;
}

type Arrays = (Float32Array | Int32Array)[];

/** Runs `call` with the reference kernels and with the GPU's (kernel `name` once, on the GPU): [reference, gpu] outputs. */
export function bothWays<Name extends keyof KindGpuKernels>(
  name: Name,
  outputs: readonly Written[],
  call: (kernels: Pick<KindGpuKernels, Name>, written: Tensor[]) => void,
): [Arrays, Arrays] {
  const runWith = (kernels: Pick<KindGpuKernels, Name>) => {
    const written = outputs.map(fresh);
    call(kernels, written);
    return written.map((tensor, index) => (outputs[index]!.dtype === 'int32' ? tensor.intValues : tensor.values));
  };
  const expected = runWith(referencePoolKernels);
  return [expected, onGpu(name, 1, () => runWith(gpu()))];
}

/** A parameter tensor: one value or one per channel (seed decides), drawn from `choices`. */
export function scalarParameter(geometry: PoolGeometry, seed: number, choices: readonly number[]): Tensor {
  const random = generator(seed);
  const parameter = Tensor.allocate([seed % 3 === 0 ? geometry.channels : 1]);
  for (let index = 0; index < parameter.values.length; index++) {
    parameter.values[index] = choices[Math.floor(random() * choices.length)]!;
  }
  return parameter;
}

/** Tap weights in [−1, 1): [taps] shared or [channels, taps] (seed decides). */
export function tapWeights(geometry: PoolGeometry, seed: number): Tensor {
  const taps = geometry.kernelDepth * geometry.kernelHeight * geometry.kernelWidth;
  const random = generator(seed);
  const weights = Tensor.allocate([seed % 2 === 0 ? taps : geometry.channels * taps]);
  for (let index = 0; index < weights.values.length; index++) weights.values[index] = random() * 2 - 1;
  return weights;
}

/** The draw key a random kind's op makes from `seed` (pooling/arguments.ts, tensor/counter-draws.ts). */
export function draws(seed: number): DrawKey {
  return drawKey(new Random(seed));
}

/** The most windows holding one input cell (a gather adds that many shares). */
export const windowsPerCell = (g: PoolGeometry): number =>
  [
    [g.kernelDepth, g.dilationDepth, g.strideDepth],
    [g.kernelHeight, g.dilationHeight, g.strideHeight],
    [g.kernelWidth, g.dilationWidth, g.strideWidth],
  ].reduce((product, [kernel, dilation, stride]) => product * Math.ceil(((kernel! - 1) * dilation! + 1) / stride!), 1);
