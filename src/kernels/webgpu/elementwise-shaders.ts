// The WGSL of the elementwise training kernels, one invocation per element: relu forward and
// backward on float bits, the Adam and SGD updates in float32 (their constants in the params
// block after the product's words, TrainParam.constants), sigmoid and tanh forward and backward.
import { seriesWgsl } from './kind-series.js';
import { header, reads, storageBindings, writes, type StorageArray } from './shader-common.js';
import { TrainParam } from './train-params.js';

/** The float constants of the elementwise shaders. */
const constantsWgsl = /* wgsl */ `
fn trainConstant(index: u32) -> f32 { return bitcast<f32>(params[${TrainParam.constants}u + index]); }
`;

/** relu on float bits: negative numbers (not -0, not NaN) become +0, whatever the GPU's float mode. */
const reluForward = `${header(storageBindings([reads('input', 'u32'), writes('output', 'u32')]))}
  let bits = input[element];
  output[element] = select(bits, 0u, bits > 0x80000000u && bits <= 0xff800000u);
}`;

/** reluBackward: the gradient where relu's output is positive (bits in (0, +Infinity]), else +0. */
const reluBackwardArrays: readonly StorageArray[] = [
  reads('output', 'u32'),
  reads('gradOutput', 'u32'),
  writes('gradInput', 'u32'),
];
const reluBackward = `${header(storageBindings(reluBackwardArrays))}
  let bits = output[element];
  gradInput[element] = select(0u, gradOutput[element], bits > 0u && bits <= 0x7f800000u);
}`;

/** adamUpdate's float32 steps in its order; WGSL's division and sqrt may be inexact (GPU_TRAIN_BOUNDS). */
const adamUpdateArrays: readonly StorageArray[] = [
  writes('values', 'f32'),
  reads('grad', 'f32'),
  writes('firstMoment', 'f32'),
  writes('secondMoment', 'f32'),
];
const adamUpdate = `${header(constantsWgsl + storageBindings(adamUpdateArrays))}
  let gradient = grad[element];
  let first = firstMoment[element] + (gradient - firstMoment[element]) * trainConstant(1u);
  let second = secondMoment[element] + (gradient * gradient - secondMoment[element]) * trainConstant(2u);
  firstMoment[element] = first;
  secondMoment[element] = second;
  values[element] = values[element] - (trainConstant(0u) * first) / (sqrt(second) + trainConstant(3u));
}`;

/** sgdUpdate in float32 (the reference rounds from float64 once: GPU_TRAIN_BOUNDS). */
const sgdUpdateArrays: readonly StorageArray[] = [
  writes('values', 'f32'),
  reads('grad', 'f32'),
  writes('velocity', 'f32'),
];
const sgdUpdate = `${header(constantsWgsl + storageBindings(sgdUpdateArrays))}
  let change = -trainConstant(0u) * grad[element];
  let updated = trainConstant(1u) * velocity[element] + change;
  velocity[element] = updated;
  values[element] = values[element] + select(updated, trainConstant(1u) * updated + change, trainConstant(2u) != 0.0);
}`;

const NAN_OUT = 'if (isNanBits(bitcast<u32>(x))) { output[element] = x; return; }';

/** sigmoid in float32: 1 / (1 + e^-x) (0 below e^-x's overflow); NaN on bits. */
const sigmoidForward = `${header(storageBindings([reads('input', 'f32'), writes('output', 'f32')]))}
  let x = input[element];
  ${NAN_OUT}
  output[element] = 1.0 / (1.0 + exp(-x));
}`;

/** tanh as e / (e + 2) with e = expm1(2|x|) (no cancellation near 0), ±1 beyond 9, ±0 and NaN kept. */
const tanhForward = `${header(seriesWgsl + storageBindings([reads('input', 'f32'), writes('output', 'f32')]))}
  let x = input[element];
  ${NAN_OUT}
  if (x == 0.0) { output[element] = x; return; }
  var magnitude = 1.0;
  if (abs(x) < 9.0) {
    let e = expm1Small(2.0 * abs(x));
    magnitude = e / (e + 2.0);
  }
  output[element] = select(magnitude, -magnitude, x < 0.0);
}`;

const savedGradientArrays: readonly StorageArray[] = [
  reads('output', 'f32'),
  reads('gradOutput', 'f32'),
  writes('gradInput', 'f32'),
];
const sigmoidBackward = `${header(storageBindings(savedGradientArrays))}
  let saved = output[element];
  gradInput[element] = gradOutput[element] * saved * (1.0 - saved);
}`;
const tanhBackward = `${header(storageBindings(savedGradientArrays))}
  let saved = output[element];
  gradInput[element] = gradOutput[element] * (1.0 - saved * saved);
}`;

export const elementwiseShaders: Readonly<Record<string, () => string>> = {
  sigmoidForward: () => sigmoidForward,
  sigmoidBackward: () => sigmoidBackward,
  tanhForward: () => tanhForward,
  tanhBackward: () => tanhBackward,
  reluForward: () => reluForward,
  reluBackward: () => reluBackward,
  adamUpdate: () => adamUpdate,
  sgdUpdate: () => sgdUpdate,
};
