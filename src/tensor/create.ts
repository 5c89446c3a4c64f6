// Making tensors from numbers: tensor(values, shape), zeros, ones, full and seeded random fills.
import { fail } from '../errors.js';
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

/** Uniform in [low, high), from a seed. */
export function randomUniform(shape: Shape, options: { seed: number; low?: number; high?: number }): Tensor {
  checkShape('randomUniform', shape);
  const { low = 0, high = 1 } = options;
  const random = new Random(options.seed);
  const result = Tensor.allocate(shape);
  const data = result.values;
  for (let index = 0; index < data.length; index++) data[index] = low + (high - low) * random.uniform();
  return result;
}

/** Normal with the given mean and standard deviation, from a seed. */
export function randomNormal(shape: Shape, options: { seed: number; mean?: number; stddev?: number }): Tensor {
  checkShape('randomNormal', shape);
  const { mean = 0, stddev = 1 } = options;
  const random = new Random(options.seed);
  const result = Tensor.allocate(shape);
  const data = result.values;
  for (let index = 0; index < data.length; index++) data[index] = mean + stddev * random.normal();
  return result;
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
