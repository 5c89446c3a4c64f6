// The weighted family's kernels (SoftPool, GeM, LSE, LIP, AdaPool, DPP) timed against max pooling's in the same run,
// as in training (each forward fills the room its backward reads, forward-keep.ts), on the seed CNN's pooling input
// (NHWC [128, 26, 26, 32], 2x2/2) and a larger one: the fastest of several runs in CPU ms (process.cpuUsage: the
// machine is shared), forward and backward, as ratios to max pooling. Usage: npx tsx bench/weighted-kinds.ts [kinds]
// (NO_ROOM=1: no room, the forward plain and the backward anew, to see what the rooms save)
import { poolGeometry, type PoolGeometry } from '../src/geometry/pool-geometry.js';
import { referenceBackend } from '../src/kernels/reference/index.js';
import type { Kernels } from '../src/kernels/types.js';
import { wasmBackend } from '../src/kernels/wasm/index.js';
import { clearKept, KEPT_CELL_PLANES, KEPT_PLANES, keptLength } from '../src/pooling/kinds/forward-keep.js';
import { Tensor } from '../src/tensor/tensor.js';

const shapes = [
  [128, 26, 26, 32],
  [32, 112, 112, 64],
];

function fastest(body: () => void, runs = 9): number {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = process.cpuUsage();
    body();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  return Math.min(...times); // the least disturbed run: the machine is shared
}

function filled(shape: readonly number[], low: number, high: number): Tensor {
  const tensor = Tensor.allocate(shape);
  for (let index = 0; index < tensor.values.length; index++) tensor.values[index] = low + Math.random() * (high - low);
  return tensor;
}

/** Forward and backward milliseconds of one kind's kernels. */
type Timer = (
  kernels: Kernels,
  geometry: PoolGeometry,
  input: Tensor,
  output: Tensor,
  gradInput: Tensor,
) => [number, number];

const parameter = filled([1], 3, 3);
const timers: Record<string, Timer> = {
  max(kernels, geometry, input, output, gradInput) {
    const argmax = Tensor.allocate(geometry.outputShape, 'int32');
    const forward = fastest(() => kernels.maxPoolForward(input.values, output.values, argmax.intValues, geometry));
    const backward = fastest(() =>
      kernels.maxPoolBackward(output.values, argmax.intValues, gradInput.values, geometry),
    );
    return [forward, backward];
  },
  soft(kernels, geometry, input, output, gradInput) {
    const kept = room(geometry, KEPT_PLANES.soft, KEPT_CELL_PLANES.soft);
    const forward = fastest(() => kernels.softPoolForward(input.values, output.values, geometry, kept));
    const backward = fastest(() =>
      kernels.softPoolBackward(input.values, output.values, gradInput.values, geometry, kept),
    );
    return [forward, backward];
  },
  lse(kernels, geometry, input, output, gradInput) {
    const gradR = Tensor.allocate([1]);
    const rate = filled([1], 1, 1);
    const kept = room(geometry, KEPT_PLANES.lse, KEPT_CELL_PLANES.lse);
    const forward = fastest(() => kernels.lsePoolForward(input.values, rate.values, output.values, geometry, kept));
    const backward = fastest(() =>
      kernels.lsePoolBackward(input.values, rate.values, output.values, gradInput.values, gradR.values, geometry, kept),
    );
    return [forward, backward];
  },
  gem(kernels, geometry, input, output, gradInput) {
    const gradP = Tensor.allocate([1]);
    const kept = room(geometry, KEPT_PLANES.gem, KEPT_CELL_PLANES.gem);
    const forward = fastest(() =>
      kernels.gemPoolForward(input.values, parameter.values, output.values, geometry, kept),
    );
    const backward = fastest(() =>
      kernels.gemPoolBackward(
        input.values,
        parameter.values,
        output.values,
        gradInput.values,
        gradP.values,
        geometry,
        kept,
      ),
    );
    return [forward, backward];
  },
  lip(kernels, geometry, input, output, gradInput) {
    const logits = filled(input.shape, -2, 2);
    const gradLogits = Tensor.allocate(input.shape);
    const lipGeometry = { ...geometry, coefficient: 12 };
    const kept = room(geometry, KEPT_PLANES.lip, KEPT_CELL_PLANES.lip);
    const forward = fastest(() =>
      kernels.lipPoolForward(input.values, logits.values, output.values, lipGeometry, kept),
    );
    const backward = fastest(() =>
      kernels.lipPoolBackward(
        input.values,
        logits.values,
        output.values,
        gradInput.values,
        gradLogits.values,
        lipGeometry,
        kept,
      ),
    );
    for (const tensor of [logits, gradLogits]) tensor.dispose();
    return [forward, backward];
  },
  // AdaPool and DPP as in training: the forward fills the room its backward reads (forward-keep.ts).
  ada(kernels, geometry, input, output, gradInput) {
    const [beta, gradBeta] = [filled([1], 0.5, 0.5), Tensor.allocate([1])];
    const kept = room(geometry, KEPT_PLANES.adaPool);
    const forward = fastest(() => kernels.adaPoolForward(input.values, beta.values, output.values, geometry, kept));
    const backward = fastest(() =>
      kernels.adaPoolBackward(
        input.values,
        beta.values,
        output.values,
        gradInput.values,
        gradBeta.values,
        geometry,
        kept,
      ),
    );
    return [forward, backward];
  },
  dpp(kernels, geometry, input, output, gradInput) {
    const [alpha, lambda, gradAlpha, gradLambda] = [
      filled([1], 1, 1),
      filled([1], 1, 1),
      ...[0, 1].map(() => Tensor.allocate([1])),
    ];
    const kept = room(geometry, KEPT_PLANES.dpp);
    const parameters = [input.values, alpha.values, lambda.values] as const;
    const forward = fastest(() => kernels.dppPoolForward(...parameters, output.values, geometry, false, kept));
    const gradients = [output.values, gradInput.values, gradAlpha!.values, gradLambda!.values] as const;
    const backward = fastest(() => kernels.dppPoolBackward(...parameters, ...gradients, geometry, false, kept));
    return [forward, backward];
  },
};

/** A forward's room for the backward, its mark cleared. */
function room(geometry: PoolGeometry, planes: number, cellPlanes = 2): Float32Array | undefined {
  if (process.env.NO_ROOM) return undefined; // forward plain, backward anew: what the room saves
  const kept = Tensor.allocate([keptLength(geometry, planes, cellPlanes)]).values;
  clearKept(kept);
  return kept;
}

const chosen = (process.argv[2] ?? 'soft').split(',');
const backends: [string, Kernels][] = [['wasm', wasmBackend!.kernels as Kernels]];
if (process.argv.includes('--reference')) backends.push(['reference', referenceBackend.kernels as Kernels]);
for (const shape of shapes) {
  const geometry = poolGeometry('bench', shape, 2, { kernelSize: 2, stride: 2, dataFormat: 'channelsLast' });
  const input = filled(shape, Number(process.env.LOW ?? -2), 2);
  const output = filled(geometry.outputShape, -1, 1);
  const gradInput = Tensor.allocate(shape);
  for (const [backend, kernels] of backends) {
    const [maxForward, maxBackward] = timers.max!(kernels, geometry, input, output, gradInput);
    for (const name of chosen) {
      const [forward, backward] = timers[name]!(kernels, geometry, input, output, gradInput);
      console.log(
        `${backend} [${shape.join(',')}] ${name.padEnd(6)} forward ${forward.toFixed(2)} ms (${(forward / maxForward).toFixed(2)}× max)` +
          `  backward ${backward.toFixed(2)} ms (${(backward / maxBackward).toFixed(2)}× max)`,
      );
    }
  }
  for (const tensor of [input, output, gradInput]) tensor.dispose();
}
