// RMSprop's and Adagrad's updates on the GPU (reference/update-kernels.ts states them): one
// invocation per element, in float32 where the reference computes in float64 and rounds once, so
// within GPU_UPDATE_BOUNDS. An absent slot (no momentum, not centered) is bound as a device-only array.
import { referenceUpdateKernels as reference } from '../reference/update-kernels.js';
import type { UpdateKernels } from '../types.js';
import type { GpuJob, JobArray } from './params.js';
import { placeholder } from './protocol.js';
import { header, reads, storageBindings, writes } from './shader-common.js';
import { elementParams } from './train-jobs.js';
import { TrainParam } from './train-params.js';

/** Runs `job` on the GPU, or `fallback` (the reference kernel on the same arrays) when it cannot. */
export type UpdateJobRunner = (kernel: keyof UpdateKernels, job: GpuJob, fallback: () => void) => void;

const readWrite = (data: Float32Array): JobArray => ({ data, role: 'readWrite' });
const absent = (): JobArray => ({ data: placeholder(1, 'float32') as Float32Array, role: 'device' });
const read = (data: Float32Array): JobArray => ({ data, role: 'read' });

const constantWgsl = /* wgsl */ `
fn constant(index: u32) -> f32 { return bitcast<f32>(params[${TrainParam.constants}u + index]); }
fn slots() -> u32 { return pu(${TrainParam.updateSlots}u); }
`;

/** RMSprop: constants lr, ρ, μ, ε; slots bit 0 momentum, bit 1 centered. */
const rmspropUpdate = `${header(
  constantWgsl +
    storageBindings([
      writes('values', 'f32'),
      reads('grad', 'f32'),
      writes('velocity', 'f32'),
      writes('moment', 'f32'),
      writes('averageGradient', 'f32'),
    ]),
)}
  let gradient = grad[element];
  let rho = constant(1u);
  let meanSquare = rho * velocity[element] + (1.0 - rho) * gradient * gradient;
  velocity[element] = meanSquare;
  var denominator = meanSquare + constant(3u);
  if ((slots() & 2u) != 0u) {
    let average = rho * averageGradient[element] + (1.0 - rho) * gradient;
    averageGradient[element] = average;
    denominator = meanSquare - average * average + constant(3u);
  }
  let increment = (constant(0u) * gradient) / sqrt(denominator);
  if ((slots() & 1u) == 0u) {
    values[element] = values[element] - increment;
  } else {
    let moved = constant(2u) * moment[element] + increment;
    moment[element] = moved;
    values[element] = values[element] - moved;
  }
}`;

/** Adagrad: constants lr, ε. */
const adagradUpdate = `${header(
  constantWgsl + storageBindings([writes('values', 'f32'), reads('grad', 'f32'), writes('accumulator', 'f32')]),
)}
  let gradient = grad[element];
  let total = accumulator[element] + gradient * gradient;
  accumulator[element] = total;
  values[element] = values[element] - (constant(0u) * gradient) / sqrt(total + constant(1u));
}`;

export const updateShaders: Readonly<Record<string, () => string>> = {
  rmspropUpdate: () => rmspropUpdate,
  adagradUpdate: () => adagradUpdate,
};

export function createUpdateGpuKernels(run: UpdateJobRunner): UpdateKernels {
  return {
    rmspropUpdate(values, grad, velocity, moment, averageGradient, step) {
      const params = elementParams([step.learningRate, step.rho, step.momentum, step.epsilon]);
      params[TrainParam.updateSlots] = (moment === null ? 0 : 1) | (averageGradient === null ? 0 : 2);
      const slot = (data: Float32Array | null) => (data === null ? absent() : readWrite(data));
      const arrays = [readWrite(values), read(grad), readWrite(velocity), slot(moment), slot(averageGradient)];
      run('rmspropUpdate', { shader: 'rmspropUpdate', params, arrays, work: values.length }, () =>
        reference.rmspropUpdate(values, grad, velocity, moment, averageGradient, step),
      );
    },
    adagradUpdate(values, grad, accumulator, step) {
      const params = elementParams([step.learningRate, step.epsilon]);
      const arrays = [readWrite(values), read(grad), readWrite(accumulator)];
      run('adagradUpdate', { shader: 'adagradUpdate', params, arrays, work: values.length }, () =>
        reference.adagradUpdate(values, grad, accumulator, step),
      );
    },
  };
}

/**
 * How far the GPU updates may be from the reference: each float32 step rounds (WGSL's division and
 * sqrt within 2.5 ulp), where the reference rounds once. Slots within `slotUlps` ulp of the sum of
 * their terms' magnitudes; values within one ulp of the value plus `incrementRelative` · |increment|.
 */
export const GPU_UPDATE_BOUNDS = { slotUlps: 4, incrementRelative: 2 ** -19 } as const;
