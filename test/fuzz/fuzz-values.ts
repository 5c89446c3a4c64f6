// The values the registry fuzzer draws: valid option values by option name (what each kind's
// schema calls its options), hostile values of every type, and the tensors a case needs, described
// as plain data so each backend's call gets identical fresh tensors.
import { Random } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

/** A tensor to make for a call: its shape, dtype, how it is filled, and whether it comes disposed. */
export interface TensorSpec {
  readonly tensor: true;
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
  /** 'values': floats with ties, NaN and ±Infinity; 'binary': 0 and 1; a number: integers in [0, n). */
  readonly fill: 'values' | 'binary' | number;
  readonly seed: number;
  readonly disposed?: boolean;
}

/** A fresh Random for the call (a Random is advanced by the call, so each backend gets its own). */
export interface RandomSpec {
  readonly randomSeed: number;
}

export const tensorSpec = (
  shape: readonly number[],
  fill: TensorSpec['fill'],
  seed: number,
  dtype: TensorSpec['dtype'] = 'float32',
): TensorSpec => ({ tensor: true, shape, dtype, fill, seed });

const isTensorSpec = (value: unknown): value is TensorSpec =>
  typeof value === 'object' && value !== null && (value as TensorSpec).tensor === true;
const isRandomSpec = (value: unknown): value is RandomSpec =>
  typeof value === 'object' && value !== null && typeof (value as RandomSpec).randomSeed === 'number';

/** Makes the tensor a spec describes (recorded in `owned` for disposal). */
export function makeTensor(spec: TensorSpec, owned: Tensor[]): Tensor {
  const made = Tensor.allocate(spec.shape, spec.dtype);
  const random = new Random(spec.seed);
  const data = spec.dtype === 'int32' ? made.intValues : made.values;
  for (let index = 0; index < data.length; index++) data[index] = fillValue(spec.fill, random);
  if (spec.disposed) made.dispose();
  else owned.push(made);
  return made;
}

function fillValue(fill: TensorSpec['fill'], random: Random): number {
  if (typeof fill === 'number') return random.integer(Math.max(fill, 1));
  if (fill === 'binary') return random.integer(2);
  const uniform = random.uniform();
  if (uniform < 0.04) return NaN;
  if (uniform < 0.07) return uniform < 0.055 ? Infinity : -Infinity;
  if (uniform < 0.3) return random.integer(4) - 1; // ties
  return (random.uniform() - 0.5) * 8;
}

/** Replaces tensor and Random specs (at any depth of arrays and plain objects) by fresh objects. */
export function materialize(value: unknown, owned: Tensor[]): unknown {
  if (isTensorSpec(value)) return makeTensor(value, owned);
  if (isRandomSpec(value)) return new Random(value.randomSeed);
  if (Array.isArray(value)) return value.map((item) => materialize(item, owned));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, materialize(item, owned)]));
  }
  return value;
}

/** Values no size, flag or name accepts, and some that only look wrong. */
export const HOSTILE: readonly unknown[] = [
  NaN,
  Infinity,
  -Infinity,
  -1,
  0,
  -0,
  1.5,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  1e300,
  'x',
  '',
  null,
  true,
  [],
  [[1]],
  [2, 'x'],
  [1, NaN],
  [2 ** 31, 1],
  {},
  { length: 2 },
];

/** What a valid value of an option depends on: the case's sizes and its random draws. */
export interface DrawContext {
  readonly random: Random;
  readonly rank: number;
  readonly batch: number;
  readonly channels: number;
  readonly inSizes: readonly number[];
  readonly seed: number;
  /** Whether sizes may be huge: not where they size the output (an unpooling's kernel and stride). */
  readonly hugeSizes: boolean;
}

const pick = <T>(random: Random, choices: readonly T[]): T => choices[random.integer(choices.length)]!;

/** One number for every axis, or one per axis; now and then a huge one (2^31 - 1 is the largest size). */
function sizes(context: DrawContext, small: () => number, huge: readonly number[]): number | number[] {
  const draw = (): number =>
    context.hugeSizes && context.random.uniform() < 0.08 ? pick(context.random, huge) : small();
  if (context.random.uniform() < 0.5) return draw();
  return Array.from({ length: context.rank }, draw);
}

const HUGE_SIZES = [2 ** 31 - 1, 2 ** 30, 1e6, 65537];

/** Valid values by option name: every name some kind's schema uses. */
export const VALID: Readonly<Record<string, (context: DrawContext) => unknown>> = {
  kernelSize: (c) => sizes(c, () => 1 + c.random.integer(3), HUGE_SIZES),
  stride: (c) => sizes(c, () => 1 + c.random.integer(3), HUGE_SIZES),
  dilation: (c) => sizes(c, () => 1 + c.random.integer(2), [2 ** 31 - 1, 2 ** 29]),
  padding: (c) => pick(c.random, ['valid', 'same', 'same', 0, 1, Array.from({ length: c.rank }, () => [0, 1])]),
  ceilMode: (c) => c.random.uniform() < 0.5,
  dataFormat: (c) => pick(c.random, ['channelsLast', 'channelsFirst']),
  returnIndices: (c) => c.random.uniform() < 0.5,
  countIncludePad: (c) => c.random.uniform() < 0.5,
  divisorOverride: (c) => pick(c.random, [null, 1, 2.5, 7]),
  p: (c) => pick(c.random, [1, 2, 2, 1.5, 3]),
  normType: (c) => pick(c.random, [1, 2, 3]),
  training: (c) => c.random.uniform() < 0.5,
  seed: (c) => c.random.integer(1000),
  random: (c): RandomSpec => ({ randomSeed: c.random.integer(1000) }),
  outputSize: (c) => c.inSizes.map((size) => 1 + c.random.integer(size)),
  outputRatio: (c) => pick(c.random, [0.5, 0.7, 0.9]),
  levels: (c) => pick(c.random, [[1], [1, 2], [2, 3, 1], [4]]),
  mode: (c) => pick(c.random, ['max', 'average', 'lp']),
  keepDims: (c) => c.random.uniform() < 0.5,
  mask: (c) => tensorSpec([c.batch, c.inSizes[0] ?? 1], 'binary', c.seed + 5),
  lengths: (c) => Array.from({ length: c.batch }, () => c.random.integer((c.inSizes[0] ?? 1) + 1)),
  sequence: (c) => pick(c.random, ['pseudoRandom', 'random']),
  overlapping: (c) => c.random.uniform() < 0.5,
  samples: (c) => Array.from({ length: c.batch * c.channels * c.rank }, () => c.random.uniform()),
};
