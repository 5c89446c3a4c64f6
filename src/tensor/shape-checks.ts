// Shape rules every tensor obeys: sizes, the largest extent and element count the heap allows, and
// the checks (with -1 inference for reshape) that name the argument and the rule broken.
import { fail } from '../errors.js';
import { MAX_ALLOCATION_BYTES } from './heap.js';
import type { Shape } from './tensor.js';

export function sizeOf(shape: Shape): number {
  let size = 1;
  for (const extent of shape) size *= extent;
  return size;
}

/** The largest extent of one axis: sizes cross into WebAssembly as 32-bit signed integers. */
export const MAX_EXTENT = 2 ** 31 - 1;
/** The most elements one tensor can hold: 4-byte elements filling the largest allocation. */
export const MAX_TENSOR_ELEMENTS = Math.floor(MAX_ALLOCATION_BYTES / 4);

/** Throws unless shape is an array of non-negative integers whose product fits the heap. */
export function checkShape(op: string, shape: Shape, argument = 'shape'): void {
  if (!Array.isArray(shape)) fail(op, argument, 'must be an array of non-negative integers', shape);
  for (const extent of shape) {
    if (!Number.isSafeInteger(extent) || extent < 0) {
      fail(op, argument, 'must hold non-negative integers only', shape);
    }
    if (extent > MAX_EXTENT) fail(op, argument, `must hold extents of at most ${MAX_EXTENT} (2^31 - 1)`, shape);
  }
  checkElementCount(op, argument, sizeOf(shape), shape);
}

/** Throws unless `count` elements fit one tensor (the heap holds at most 4 GiB). */
export function checkElementCount(op: string, argument: string, count: number, value: unknown): void {
  if (!(count <= MAX_TENSOR_ELEMENTS)) {
    fail(
      op,
      argument,
      `must describe at most ${MAX_TENSOR_ELEMENTS} elements (4 GiB of float32, the heap's limit)`,
      value,
    );
  }
}

export function resolveShape(op: string, shape: Shape, size: number): number[] {
  const inferred = shape.filter((extent) => extent === -1).length;
  if (inferred > 1) fail(op, 'shape', 'may hold at most one -1', shape);
  const known = sizeOf(shape.filter((extent) => extent !== -1));
  const resolved = shape.map((extent) => (extent === -1 ? size / Math.max(known, 1) : extent));
  checkShape(op, resolved);
  if (sizeOf(resolved) !== size) fail(op, 'shape', `must have ${size} elements like the tensor`, shape);
  return resolved;
}
