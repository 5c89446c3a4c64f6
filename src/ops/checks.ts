// Argument checks shared by every op.
import { fail } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';

/** Throws unless `value` is a live float32 tensor. */
export function checkTensor(op: string, name: string, value: unknown): Tensor {
  if (!(value instanceof Tensor)) fail(op, name, 'must be a Tensor', typeof value);
  if (value.isDisposed) fail(op, name, 'must not be disposed', value.toString());
  if (value.dtype !== 'float32') fail(op, name, 'must be a float32 tensor', value.dtype);
  return value;
}

/** Throws unless `value` is a live int32 tensor (argmax indices). */
export function checkIndices(op: string, name: string, value: unknown): Tensor {
  if (!(value instanceof Tensor)) fail(op, name, 'must be a Tensor', typeof value);
  if (value.isDisposed) fail(op, name, 'must not be disposed', value.toString());
  if (value.dtype !== 'int32') fail(op, name, 'must be an int32 tensor (indices from a max pool)', value.dtype);
  return value;
}

/** Throws unless options is a plain object (or undefined, when allowed). */
export function checkOptions<T extends object>(op: string, options: T | undefined, required: boolean): T {
  if (options === undefined && !required) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    fail(op, 'options', 'must be an object', options);
  }
  return options;
}
