// The Tensor: a shape and a dtype over bytes in the shared heap. Kernels read `values` (a live view);
// users read `toArray()` or `toFloat32Array()` (copies that outlive the tensor).
import { fail } from '../errors.js';
import { formatTensor } from './format.js';
import { heap, MAX_ALLOCATION_BYTES } from './heap.js';
import { trackInScope } from './scope.js';

export type DType = 'float32' | 'int32';
export type Shape = readonly number[];
export type NestedArray = number | NestedArray[];

/** How a tensor's gradient flows to its inputs; set by ops when gradients are being recorded. */
export interface GradNode {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  /** Tensors the backward reads besides inputs and output (argmax, masks): kept alive with the graph. */
  readonly saved: readonly Tensor[];
  /** Returns one gradient per input, or null for inputs that get none. */
  readonly backward: (gradOutput: Tensor) => readonly (Tensor | null)[];
}

/** Bytes in the heap, shared by a tensor and its reshaped views; freed when the last one goes. */
class Storage {
  references = 1;
  constructor(
    readonly offset: number,
    readonly bytes: number,
  ) {}

  /** Drops one reference; `collected` when the garbage collector, not dispose(), dropped it. */
  release(collected = false): void {
    this.references--;
    if (this.references === 0) heap.free(this.offset, this.bytes, collected);
  }
}

// The safety net: a tensor that is garbage-collected without dispose() gives its bytes back.
const unreachable = new FinalizationRegistry<Storage>((storage) => storage.release(true));

export class Tensor {
  readonly shape: Shape;
  readonly dtype: DType;
  readonly size: number;
  requiresGrad = false;
  grad: Tensor | null = null;
  gradNode: GradNode | null = null;
  private storage: Storage | null;
  private view: Float32Array | Int32Array | null = null;
  private viewGeneration = -1;

  /** Internal: use tensor(), zeros() and the ops to make tensors. */
  constructor(storage: Storage, shape: Shape, dtype: DType) {
    this.storage = storage;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = sizeOf(shape);
    unreachable.register(this, storage, this);
    trackInScope(this);
  }

  static allocate(shape: Shape, dtype: DType = 'float32'): Tensor {
    const bytes = sizeOf(shape) * 4;
    return new Tensor(new Storage(heap.alloc(bytes), bytes), shape, dtype);
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.storage === null;
  }

  /** Byte offset of the first element in the heap: what WebAssembly kernels take. */
  get byteOffset(): number {
    return this.live().offset;
  }

  /**
   * A live float32 view of the elements in the heap (no copy): what kernels read and write. Valid
   * until dispose() or the heap's next growth; copy what must last (dataSync, toFloat32Array).
   */
  get values(): Float32Array {
    if (this.dtype !== 'float32') throw new TypeError(`Tensor.values: tensor is ${this.dtype}; use intValues`);
    return this.typedView() as Float32Array;
  }

  /** A live int32 view of the elements (argmax indices), like `values`. */
  get intValues(): Int32Array {
    if (this.dtype !== 'int32') throw new TypeError(`Tensor.intValues: tensor is ${this.dtype}; use values`);
    return this.typedView() as Int32Array;
  }

  /** A copy of the elements that stays valid after dispose(). */
  toFloat32Array(): Float32Array {
    return Float32Array.from(this.typedView());
  }

  /** The elements as nested arrays, shaped like the tensor. */
  toArray(): NestedArray {
    return nest(Array.from(this.typedView()), this.shape);
  }

  /** A tensor of a new shape over the same bytes (no copy); -1 stands for the one inferred size. */
  reshape(shape: Shape): Tensor {
    const resolved = resolveShape('reshape', shape, this.size);
    const storage = this.live();
    storage.references++;
    return new Tensor(storage, resolved, this.dtype);
  }

  /** A copy with its own bytes. */
  clone(): Tensor {
    const copy = Tensor.allocate(this.shape, this.dtype);
    (copy.typedView() as Float32Array).set(this.typedView() as Float32Array);
    return copy;
  }

  dispose(): void {
    if (this.storage === null) return;
    unreachable.unregister(this);
    this.storage.release();
    this.storage = null;
    this.view = null;
    this.gradNode = null;
  }

  /** A copy of the elements as a Float32Array or Int32Array (by dtype), valid after dispose(); as tf.Tensor.dataSync. */
  dataSync(): Float32Array | Int32Array {
    const view = this.typedView();
    return view instanceof Float32Array ? Float32Array.from(view) : Int32Array.from(view);
  }

  /** dataSync() as a Promise, as tf.Tensor.data (the values are already in memory, so it resolves at once). */
  data(): Promise<Float32Array | Int32Array> {
    return new Promise((resolve) => resolve(this.dataSync()));
  }

  /** The elements as nested arrays (a number for a scalar); as tf.Tensor.arraySync. */
  arraySync(): NestedArray {
    return this.toArray();
  }

  /** arraySync() as a Promise, as tf.Tensor.array. */
  array(): Promise<NestedArray> {
    return new Promise((resolve) => resolve(this.arraySync()));
  }

  /** Writes toString() to the console, as tf.Tensor.print. */
  print(): void {
    console.log(this.toString());
  }

  /**
   * The dtype, the shape and the values laid out as TensorFlow.js prints them (axes longer than 20
   * summarised); a disposed tensor shows its header only.
   * @example tensor([[1, 2], [3, 4]]).toString() // 'Tensor float32 [2, 2]\n    [[1, 2],\n     [3, 4]]'
   */
  toString(): string {
    if (this.storage === null) return `Tensor ${this.dtype} [${this.shape.join(', ')}]`;
    return formatTensor(this.typedView(), this.shape, this.dtype);
  }

  /** What console.log and util.inspect show in Node: the same as toString(). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  private live(): Storage {
    if (this.storage === null) {
      throw new Error(
        `${this.toString()} was used after being disposed (by dispose(), or by a tidy() that did not return it)`,
      );
    }
    return this.storage;
  }

  private typedView(): Float32Array | Int32Array {
    const storage = this.live();
    if (this.view === null || this.viewGeneration !== heap.generation) {
      const buffer = heap.memory.buffer;
      this.view =
        this.dtype === 'float32'
          ? new Float32Array(buffer, storage.offset, this.size)
          : new Int32Array(buffer, storage.offset, this.size);
      this.viewGeneration = heap.generation;
    }
    return this.view;
  }
}

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

function resolveShape(op: string, shape: Shape, size: number): number[] {
  const inferred = shape.filter((extent) => extent === -1).length;
  if (inferred > 1) fail(op, 'shape', 'may hold at most one -1', shape);
  const known = sizeOf(shape.filter((extent) => extent !== -1));
  const resolved = shape.map((extent) => (extent === -1 ? size / Math.max(known, 1) : extent));
  checkShape(op, resolved);
  if (sizeOf(resolved) !== size) fail(op, 'shape', `must have ${size} elements like the tensor`, shape);
  return resolved;
}

function nest(flat: number[], shape: Shape): NestedArray {
  if (shape.length === 0) return flat[0]!;
  const [outer, ...inner] = shape;
  const step = sizeOf(inner);
  const rows: NestedArray[] = [];
  for (let index = 0; index < outer!; index++) rows.push(nest(flat.slice(index * step, (index + 1) * step), inner));
  return rows;
}
