// The Tensor: a shape and a dtype over bytes in the shared heap. Kernels read `values` (a live view);
// users read `toArray()` or `toFloat32Array()` (copies that outlive the tensor).
import { fail } from '../errors.js';
import { formatTensor } from './format.js';
import { getBackend } from '../kernels/backend.js';
import { deviceStore, standIn } from './device.js';
import { heap } from './heap.js';
import { resolveShape, sizeOf } from './shape-checks.js';
import { trackInScope } from './scope.js';
import { homeMoves, Storage } from './storage.js';

export { checkElementCount, checkShape, MAX_EXTENT, MAX_TENSOR_ELEMENTS, sizeOf } from './shape-checks.js';

export type DType = 'float32' | 'int32';
export type Shape = readonly number[];
export type NestedArray = number | NestedArray[];
/** Where a tensor's values live: the WebAssembly heap, or a GPU buffer of the webgpu backend. */
export type TensorHome = 'heap' | 'webgpu';

/** How a tensor's gradient flows to its inputs; set by ops when gradients are being recorded. */
export interface GradNode {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  /** Tensors the backward reads besides inputs and output (argmax, masks): kept alive with the graph. */
  readonly saved: readonly Tensor[];
  /** Returns one gradient per input, or null for inputs that get none. */
  readonly backward: (gradOutput: Tensor) => readonly (Tensor | null)[];
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
  private viewMoves = -1;
  private residentStandIn: Float32Array | Int32Array | null = null;

  /** Internal: use tensor(), zeros() and the ops to make tensors. */
  constructor(storage: Storage, shape: Shape, dtype: DType) {
    this.storage = storage;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = sizeOf(shape);
    unreachable.register(this, storage, this);
    trackInScope(this);
  }

  /**
   * A tensor of uninitialised values in the heap; on the GPU instead (zero-filled) when webgpu is
   * active and a tensor of `beside` lives there: how an op puts its outputs where its inputs are.
   */
  static allocate(shape: Shape, dtype: DType = 'float32', beside?: readonly (Tensor | null)[]): Tensor {
    const bytes = sizeOf(shape) * 4;
    if (beside !== undefined && bytes > 0 && beside.some((tensor) => tensor?.home === 'webgpu')) {
      const store = deviceStore();
      if (store !== null && getBackend() === store.backend) {
        return new Tensor(Storage.onDevice(store, bytes), shape, dtype);
      }
    }
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
    this.typedView(); // brings resident values home first
    return this.live().offset;
  }

  /**
   * A live float32 view of the elements in the heap (no copy): what kernels read and write. Valid
   * until dispose() or the heap's next growth; copy what must last (dataSync, toFloat32Array). A
   * tensor on the GPU is read back first and lives in the heap from then on (home 'heap').
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

  /**
   * What a kernel of the active backend reads: `values` for a heap tensor; for a tensor on the GPU
   * while webgpu is active, a stand-in whose buffer the GPU kernels bind (any other use throws).
   * On another backend a tensor on the GPU throws and names the move (tensor.to('heap')).
   */
  get kernelValues(): Float32Array {
    if (this.dtype !== 'float32') throw new TypeError(`Tensor.kernelValues: tensor is ${this.dtype}`);
    return this.live().deviceId === null ? this.values : (this.residentView() as Float32Array);
  }

  /** kernelValues for int32 tensors (argmax indices). */
  get kernelIntValues(): Int32Array {
    if (this.dtype !== 'int32') throw new TypeError(`Tensor.kernelIntValues: tensor is ${this.dtype}`);
    return this.live().deviceId === null ? this.intValues : (this.residentView() as Int32Array);
  }

  /** Where the values live now: 'heap', or 'webgpu' after to('webgpu'). */
  get home(): TensorHome {
    return this.live().deviceId === null ? 'heap' : 'webgpu';
  }

  /**
   * Moves the values (and those of the reshaped views sharing them) to `home` and returns this
   * tensor: 'webgpu' uploads them into a GPU buffer (initWebGpu() first; an empty tensor stays in
   * the heap), 'heap' reads them back. The webgpu kernels read resident tensors in place.
   */
  to(home: TensorHome): this {
    const storage = this.live();
    if (home === 'heap') {
      if (storage.deviceId !== null) storage.toHeap();
      return this;
    }
    if (home !== 'webgpu') fail('Tensor.to', 'home', "must be 'heap' or 'webgpu'", home);
    const store = deviceStore();
    if (store === null) throw new Error("Tensor.to('webgpu'): the webgpu backend is not started (await initWebGpu())");
    if (storage.deviceId === null && this.size > 0) storage.toDevice(store, this.typedView());
    return this;
  }

  /**
   * A copy of this tensor on the GPU (one upload; this tensor stays where it is): how fit keeps a
   * dataset there without moving the caller's tensors. An empty tensor's copy stays in the heap.
   */
  copyToGpu(): Tensor {
    const store = deviceStore();
    if (store === null) throw new Error('Tensor.copyToGpu: the webgpu backend is not started (await initWebGpu())');
    if (this.size === 0) return this.clone();
    return new Tensor(Storage.uploaded(store, this.hostValues()), this.shape, this.dtype);
  }

  /** A copy of the elements that stays valid after dispose(). */
  toFloat32Array(): Float32Array {
    return Float32Array.from(this.hostValues());
  }

  /** The elements as nested arrays, shaped like the tensor. */
  toArray(): NestedArray {
    return nest(Array.from(this.hostValues()), this.shape);
  }

  /** A tensor of a new shape over the same bytes (no copy); -1 stands for the one inferred size. */
  reshape(shape: Shape): Tensor {
    const resolved = resolveShape('reshape', shape, this.size);
    const storage = this.live();
    storage.references++;
    return new Tensor(storage, resolved, this.dtype);
  }

  /** A copy with its own bytes, in the heap. */
  clone(): Tensor {
    const copy = Tensor.allocate(this.shape, this.dtype);
    (copy.typedView() as Float32Array).set(this.hostValues() as Float32Array);
    return copy;
  }

  dispose(): void {
    if (this.storage === null) return;
    unreachable.unregister(this);
    this.storage.release();
    this.storage = null;
    this.view = null;
    this.residentStandIn = null;
    this.gradNode = null;
  }

  /** A copy of the elements as a Float32Array or Int32Array (by dtype), valid after dispose(); as tf.Tensor.dataSync. */
  dataSync(): Float32Array | Int32Array {
    if (this.live().deviceId !== null) return this.hostValues();
    const view = this.typedView();
    return view instanceof Float32Array ? Float32Array.from(view) : Int32Array.from(view);
  }

  /** dataSync() as a Promise, as tf.Tensor.data (it reads a tensor on the GPU back synchronously, then resolves). */
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
    return formatTensor(this.hostValues(), this.shape, this.dtype);
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

  /** The heap view, or for a tensor on the GPU a copy read back (its home stays the GPU). */
  private hostValues(): Float32Array | Int32Array {
    const storage = this.live();
    return storage.deviceId === null ? this.typedView() : storage.readCopy(this.dtype === 'int32');
  }

  /** The stand-in of resident values for the GPU kernels (kernelValues), made once per stay on the GPU. */
  private residentView(): Float32Array | Int32Array {
    const store = deviceStore();
    if (store === null || getBackend() !== store.backend) {
      throw new Error(
        `poolkit: ${this.toString()} lives on the GPU, and the active backend '${getBackend()}' cannot read it: ` +
          "move it with tensor.to('heap'), or setBackend('webgpu')",
      );
    }
    if (this.residentStandIn === null || this.viewMoves !== homeMoves.count) {
      const header = `Tensor ${this.dtype} [${this.shape.join(', ')}]`;
      this.residentStandIn = standIn(this.live(), this.size, this.dtype === 'int32', () => header);
      this.viewMoves = homeMoves.count;
      this.view = null;
    }
    return this.residentStandIn;
  }

  private typedView(): Float32Array | Int32Array {
    const storage = this.live();
    if (this.view === null || this.viewGeneration !== heap.generation || this.viewMoves !== homeMoves.count) {
      if (storage.deviceId !== null) storage.toHeap();
      const buffer = heap.memory.buffer;
      this.view =
        this.dtype === 'float32'
          ? new Float32Array(buffer, storage.offset, this.size)
          : new Int32Array(buffer, storage.offset, this.size);
      this.viewGeneration = heap.generation;
      this.viewMoves = homeMoves.count;
    }
    return this.view;
  }
}

function nest(flat: number[], shape: Shape): NestedArray {
  if (shape.length === 0) return flat[0]!;
  const [outer, ...inner] = shape;
  const step = sizeOf(inner);
  const rows: NestedArray[] = [];
  for (let index = 0; index < outer!; index++) rows.push(nest(flat.slice(index * step, (index + 1) * step), inner));
  return rows;
}
