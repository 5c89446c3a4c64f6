// Weight initialisers with Keras's names and formulas, each drawing from a seeded Random:
// glorotUniform U(±√(6 / (fanIn + fanOut))) (Keras's default kernel), heUniform, lecunUniform,
// the *Normal variants (truncated at 2σ, σ scaled by 1/0.8796 as Keras does), zeros and ones;
// randomUniform is Keras's RandomUniform(−0.05, 0.05) (its Embedding default).
import { fail } from '../errors.js';
import type { Random } from '../tensor/random.js';
import { Tensor, type Shape } from '../tensor/tensor.js';

export type InitializerName =
  | 'glorotUniform'
  | 'glorotNormal'
  | 'heUniform'
  | 'heNormal'
  | 'lecunUniform'
  | 'lecunNormal'
  | 'zeros'
  | 'ones'
  | 'randomUniform';

const NAMES: readonly InitializerName[] = [
  'glorotUniform',
  'glorotNormal',
  'heUniform',
  'heNormal',
  'lecunUniform',
  'lecunNormal',
  'zeros',
  'ones',
  'randomUniform',
];

/** The stddev of a unit normal truncated to [−2, 2]; Keras divides by it so the variance is right. */
const TRUNCATED_STDDEV = 0.8796256610342398;

export function checkInitializer(layer: string, argument: string, value: unknown, fallback: InitializerName) {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string' || !NAMES.includes(value as InitializerName)) {
    fail(layer, argument, `must be one of ${NAMES.map((name) => `'${name}'`).join(', ')}`, value);
  }
  return value as InitializerName;
}

/**
 * Fans as Keras computes them: a dense kernel [in, out] has fanIn = in, fanOut = out; a conv
 * kernel [...window, in, out] multiplies both by the window size.
 */
export function fans(shape: Shape): { fanIn: number; fanOut: number } {
  if (shape.length < 1) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  const receptive = shape.slice(0, -2).reduce((total, extent) => total * extent, 1);
  return { fanIn: shape[shape.length - 2]! * receptive, fanOut: shape[shape.length - 1]! * receptive };
}

/** A new tensor of `shape` filled by the named initialiser. */
export function initialize(name: InitializerName, shape: Shape, random: Random): Tensor {
  const result = Tensor.allocate(shape);
  const data = result.values;
  if (name === 'zeros' || name === 'ones') {
    data.fill(name === 'ones' ? 1 : 0);
    return result;
  }
  if (name === 'randomUniform') {
    for (let index = 0; index < data.length; index++) data[index] = (random.uniform() * 2 - 1) * 0.05;
    return result;
  }
  const { fanIn, fanOut } = fans(shape);
  const scale = name.startsWith('glorot') ? 2 / (fanIn + fanOut) : name.startsWith('he') ? 2 / fanIn : 1 / fanIn;
  if (name.endsWith('Uniform')) {
    const limit = Math.sqrt(3 * scale);
    for (let index = 0; index < data.length; index++) data[index] = (random.uniform() * 2 - 1) * limit;
  } else {
    const stddev = Math.sqrt(scale) / TRUNCATED_STDDEV;
    for (let index = 0; index < data.length; index++) data[index] = truncatedNormal(random) * stddev;
  }
  return result;
}

function truncatedNormal(random: Random): number {
  for (;;) {
    const value = random.normal();
    if (Math.abs(value) <= 2) return value;
  }
}

/** A kernel-and-bias layer's weights (Dense, the convolutions): each made by its initialiser, all trainable. */
export function kernelAndBias(
  shapes: readonly { name: string; shape: Shape }[],
  kernelInitializer: InitializerName,
  biasInitializer: InitializerName,
  random: Random,
): { name: string; tensor: Tensor; trainable: boolean }[] {
  return shapes.map(({ name, shape }) => ({
    name,
    tensor: initialize(name === 'kernel' ? kernelInitializer : biasInitializer, shape, random),
    trainable: true,
  }));
}
