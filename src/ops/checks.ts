// Argument checks shared by every op.
import { fail, PoolkitArgumentError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';

/** Throws unless `value` is a live float32 tensor. */
export function checkTensor(op: string, name: string, value: unknown): Tensor {
  if (!(value instanceof Tensor)) fail(op, name, 'must be a Tensor', typeof value);
  if (value.isDisposed) fail(op, name, 'must not be disposed', value.toString());
  if (value.dtype !== 'float32') fail(op, name, 'must be a float32 tensor', value.dtype);
  return value;
}

/** A convolution's input, filter and bias (null: none) as checkTensor checks each. */
export function checkConvolutionTensors(op: string, input: unknown, filter: unknown, bias: unknown): void {
  checkTensor(op, 'input', input);
  checkTensor(op, 'filter', filter);
  if (bias !== null) checkTensor(op, 'bias', bias);
}

/** Throws unless `value` is a live tensor of either dtype (ops that only move elements). */
export function checkAnyTensor(op: string, name: string, value: unknown): Tensor {
  if (!(value instanceof Tensor)) fail(op, name, 'must be a Tensor', typeof value);
  if (value.isDisposed) fail(op, name, 'must not be disposed', value.toString());
  return value;
}

/** A live view of a tensor's elements, whichever its dtype. */
export function elementsOf(tensor: Tensor): Float32Array | Int32Array {
  return tensor.dtype === 'int32' ? tensor.intValues : tensor.values;
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

/**
 * The option names of an options type, listed once: the compiler rejects a list that misses a key
 * of `T` or names one it lacks, so the run-time check below cannot drift from the type.
 * @example const KEYS = optionKeys<MatmulOpOptions>({ transposeA: true, transposeB: true });
 */
export function optionKeys<T extends object>(keys: { readonly [Key in keyof Required<T>]: true }): readonly string[] {
  return Object.freeze(Object.keys(keys));
}

/**
 * Throws unless every key of `options` is one of `knownKeys`: JavaScript callers get the error that
 * TypeScript callers get from the types. The message names the unknown key and the nearest known
 * one (snake_case mapped to camelCase first, then abbreviations, then by edit distance).
 * @example checkKnownOptions('conv2d', { pool_size: 2 }, ['poolSize']) // throws "... did you mean 'poolSize'?"
 */
export function checkKnownOptions(op: string, options: object | undefined, knownKeys: readonly string[]): void {
  if (options === undefined || options === null) return;
  for (const key of Object.keys(options)) {
    if (knownKeys.includes(key)) continue;
    const nearest = nearestKey(key, knownKeys);
    const hint =
      nearest === null
        ? `; the options are ${knownKeys.map((known) => `'${known}'`).join(', ') || 'none'}`
        : `; did you mean '${nearest}'?`;
    const error = new PoolkitArgumentError(op, 'options', `has no '${key}'`, key);
    error.message = `${op}: options has no '${key}'${hint}`;
    throw error;
  }
}

/** The known key a misspelled one most likely meant, or null when none is close. */
export function nearestKey(key: string, knownKeys: readonly string[]): string | null {
  const camel = key.replace(/_+([a-z0-9])/gi, (_, letter: string) => letter.toUpperCase());
  const folded = knownKeys.find((known) => known.toLowerCase() === camel.toLowerCase());
  if (folded !== undefined) return folded;
  // An abbreviation ('std' for 'stddev') beats a closer spelling that means something else ('seed').
  const extended = knownKeys.filter(
    (known) => camel.length >= 3 && known.toLowerCase().startsWith(camel.toLowerCase()),
  );
  if (extended.length === 1) return extended[0]!;
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const known of knownKeys) {
    const distance = editDistance(camel.toLowerCase(), known.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [known, distance];
  }
  // Close enough to be a slip: at most a third of the longer name (and at least 2 edits allowed).
  const allowed = Math.max(2, Math.floor(Math.max(key.length, best?.length ?? 0) / 3));
  return bestDistance <= allowed ? best : null;
}

/** Levenshtein distance: insertions, deletions and substitutions, each costing 1. */
export function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row++) {
    const current = [row];
    for (let column = 1; column <= right.length; column++) {
      const substitution = previous[column - 1]! + (left[row - 1] === right[column - 1] ? 0 : 1);
      current.push(Math.min(previous[column]! + 1, current[column - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length]!;
}

/** 'shape [2, 3]': how error messages describe a tensor (its values could be millions of numbers). */
export function describeShape(tensor: Tensor): string {
  return `shape [${tensor.shape.join(', ')}]`;
}

/** An axis in [−rank, rank), negative counting from the end, as a non-negative index. */
export function checkAxis(op: string, name: string, axis: unknown, rank: number): number {
  if (!Number.isInteger(axis) || (axis as number) < -rank || (axis as number) >= rank) {
    fail(
      op,
      name,
      rank === 0 ? 'must be absent for a scalar (rank 0) tensor' : `must be an integer in [${-rank}, ${rank})`,
      axis,
    );
  }
  return (axis as number) < 0 ? (axis as number) + rank : (axis as number);
}
