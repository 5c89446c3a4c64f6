// Making tensors from numbers: tensor(values, shape), zeros, ones, full and seeded random fills.
import { fail } from '../errors.js';
import { checkKnownOptions, checkOptions, optionKeys } from '../ops/checks.js';
import { Random } from './random.js';
import { checkShape, sizeOf, Tensor, type DType, type NestedArray, type Shape } from './tensor.js';

export type TensorValues = NestedArray | Float32Array | Int32Array | readonly number[];

/**
 * A tensor from nested arrays, a flat array or a typed array. The shape is inferred from nested
 * arrays; with a flat array it must be given.
 * @example tensor([[1, 2], [3, 4]])          // shape [2, 2]
 * @example tensor([1, 2, 3, 4], [1, 2, 2, 1]) // shape [1, 2, 2, 1]
 */
export function tensor(values: TensorValues, shape?: Shape, dtype: DType = 'float32'): Tensor {
  const flat = flatten(values);
  const resolved = shape ?? inferShape(values);
  checkShape('tensor', resolved);
  if (sizeOf(resolved) !== flat.length) {
    fail('tensor', 'shape', `must hold as many elements as values (${flat.length})`, resolved);
  }
  if (dtype !== 'float32' && dtype !== 'int32') fail('tensor', 'dtype', "must be 'float32' or 'int32'", dtype);
  const result = Tensor.allocate(resolved, dtype);
  if (dtype === 'float32') result.values.set(flat);
  else result.intValues.set(flat);
  return result;
}

export function full(shape: Shape, value: number, dtype: DType = 'float32'): Tensor {
  return filled('full', shape, value, dtype);
}

export function zeros(shape: Shape, dtype: DType = 'float32'): Tensor {
  return filled('zeros', shape, 0, dtype);
}

export function ones(shape: Shape, dtype: DType = 'float32'): Tensor {
  return filled('ones', shape, 1, dtype);
}

function filled(op: string, shape: Shape, value: number, dtype: DType): Tensor {
  checkShape(op, shape);
  if (dtype !== 'float32' && dtype !== 'int32') fail(op, 'dtype', "must be 'float32' or 'int32'", dtype);
  const result = Tensor.allocate(shape, dtype);
  if (dtype === 'float32') result.values.fill(value);
  else result.intValues.fill(value);
  return result;
}

export interface RandomUniformOptions {
  /** Default: the global generator (see setRandomSeed). */
  seed?: number;
  /** Default 0. */
  low?: number;
  /** Default 1. */
  high?: number;
}

export interface RandomNormalOptions {
  /** Default: the global generator (see setRandomSeed). */
  seed?: number;
  /** Default 0. */
  mean?: number;
  /** Default 1. */
  stddev?: number;
}

const UNIFORM_KEYS = optionKeys<RandomUniformOptions>({ seed: true, low: true, high: true });
const NORMAL_KEYS = optionKeys<RandomNormalOptions>({ seed: true, mean: true, stddev: true });

/** The generator of unseeded randomUniform / randomNormal calls: seeded 0 at load, advanced by each call. */
let globalRandom = new Random(0);

/**
 * Restarts the generator that randomUniform and randomNormal draw from when given no seed, so a
 * program's unseeded draws repeat. It starts seeded with 0 when poolkit loads.
 * @example setRandomSeed(42); randomNormal([2, 2]) // the same values on every run
 */
export function setRandomSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) fail('setRandomSeed', 'seed', 'must be an integer', seed);
  globalRandom = new Random(seed);
}

function generatorFor(op: string, seed: unknown): Random {
  if (seed === undefined) return globalRandom;
  if (!Number.isSafeInteger(seed)) fail(op, 'seed', 'must be an integer', seed);
  return new Random(seed as number);
}

function numberOption(op: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(op, name, 'must be a finite number', value);
  return value;
}

/**
 * A tensor of `shape` filled by `draw(random, first, second)`: the options checked against `keys`,
 * the two number parameters read with their defaults, the generator from `seed` or the global one.
 */
function randomTensor(
  op: string,
  shape: Shape,
  options: object,
  keys: readonly string[],
  parameters: readonly [name: string, fallback: number, name: string, fallback: number],
  draw: (random: Random, first: number, second: number) => number,
): Tensor {
  checkShape(op, shape);
  const checked = checkOptions(op, options, false) as Record<string, unknown>;
  checkKnownOptions(op, checked, keys);
  const first = numberOption(op, parameters[0], checked[parameters[0]], parameters[1]);
  const second = numberOption(op, parameters[2], checked[parameters[2]], parameters[3]);
  const random = generatorFor(op, checked.seed);
  const result = Tensor.allocate(shape);
  const data = result.values;
  for (let index = 0; index < data.length; index++) data[index] = draw(random, first, second);
  return result;
}

/**
 * Uniform in [low, high); from `seed`, or without one from the global generator (setRandomSeed).
 * @example randomUniform([2, 3]); randomUniform([2, 3], { seed: 1, low: -1, high: 1 })
 */
export function randomUniform(shape: Shape, options: RandomUniformOptions = {}): Tensor {
  return randomTensor('randomUniform', shape, options, UNIFORM_KEYS, ['low', 0, 'high', 1], (random, low, high) => {
    return low + (high - low) * random.uniform();
  });
}

/**
 * Normal with the given mean and standard deviation; from `seed`, or without one from the global
 * generator (setRandomSeed).
 * @example randomNormal([2, 3]); randomNormal([2, 3], { seed: 1, stddev: 0.1 })
 */
export function randomNormal(shape: Shape, options: RandomNormalOptions = {}): Tensor {
  return randomTensor('randomNormal', shape, options, NORMAL_KEYS, ['mean', 0, 'stddev', 1], (random, mean, stddev) => {
    return mean + stddev * random.normal();
  });
}

function flatten(values: TensorValues): ArrayLike<number> {
  if (values instanceof Float32Array || values instanceof Int32Array) return values;
  if (typeof values === 'number') return [values];
  const flat: number[] = [];
  const walk = (item: NestedArray | readonly number[]): void => {
    if (typeof item === 'number') flat.push(item);
    else if (Array.isArray(item)) for (const inner of item as NestedArray[]) walk(inner);
    else fail('tensor', 'values', 'must be numbers or nested arrays of numbers', item);
  };
  walk(values as NestedArray);
  return flat;
}

function inferShape(values: TensorValues): number[] {
  if (typeof values === 'number') return [];
  if (values instanceof Float32Array || values instanceof Int32Array) return [values.length];
  const shape: number[] = [];
  let level: unknown = values;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  checkRagged(values as NestedArray, shape, 0);
  return shape;
}

function checkRagged(values: NestedArray, shape: number[], depth: number): void {
  if (depth === shape.length) {
    if (typeof values !== 'number') fail('tensor', 'values', 'must not be ragged', values);
    return;
  }
  if (!Array.isArray(values) || values.length !== shape[depth]) {
    fail('tensor', 'values', `must not be ragged: every array at depth ${depth} needs ${shape[depth]} items`, values);
  }
  for (const item of values) checkRagged(item, shape, depth + 1);
}
