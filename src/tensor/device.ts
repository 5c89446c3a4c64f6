// Where a tensor's values may live besides the heap: a GPU buffer that the webgpu backend's device
// worker owns, known here only by id. The backend registers its store when it starts; the GPU
// kernels recognise a resident tensor by the stand-in array its kernelValues gives them.

/** The webgpu backend's buffers, by id: what a tensor needs to move and read its values. */
export interface DeviceStore {
  /** The backend whose kernels read resident tensors. */
  readonly backend: string;
  /** A new buffer holding a copy of `data`; its id. */
  upload(data: Float32Array | Int32Array): number;
  /** A new zero-filled buffer of `bytes` bytes (an op's output, written by a GPU kernel); its id. */
  allocate(bytes: number): number;
  /** Copies buffer `id` into `into` (its length of elements). */
  read(id: number, into: Float32Array | Int32Array): void;
  free(id: number): void;
}

/** What the GPU kernels see of a resident tensor's storage: its buffer id now. */
export interface ResidentValues {
  readonly deviceId: number | null;
}

let store: DeviceStore | null = null;
const standIns = new WeakMap<object, ResidentValues>();

/** GPU bytes of live tensors and those the garbage collector reclaimed (memoryStats reports both). */
export const deviceBytes = { inUse: 0, collected: 0 };

/** Registers the store (initWebGpu) or removes it (closeWebGpu, after moving every tensor home). */
export function setDeviceStore(next: DeviceStore | null): void {
  store = next;
}

export function deviceStore(): DeviceStore | null {
  return store;
}

/** The buffer id behind a stand-in from kernelValues, or undefined for an ordinary array. */
export function residentBufferOf(array: object): number | undefined {
  return standIns.get(array)?.deviceId ?? undefined;
}

const METADATA = new Set<PropertyKey>(['length', 'byteLength', 'BYTES_PER_ELEMENT']);

/**
 * An array of `length` elements standing for resident values: the GPU kernels bind its buffer; any
 * other use (a CPU kernel reading elements) throws and names the move, instead of reading zeros.
 */
export function standIn(storage: ResidentValues, length: number, int: boolean, describe: () => string): Float32Array {
  const target = int ? new Int32Array(0) : new Float32Array(0);
  const proxy = new Proxy(target, {
    get(_, property) {
      if (property === 'length') return length;
      if (property === 'byteLength') return length * 4;
      if (METADATA.has(property) || property === Symbol.toStringTag) return Reflect.get(target, property, target);
      throw new Error(
        `poolkit: ${describe()} lives on the GPU: only the webgpu kernels read it; ` +
          "move it with tensor.to('heap'), or read a copy with dataSync()",
      );
    },
  }) as Float32Array;
  standIns.set(proxy, storage);
  return proxy;
}
