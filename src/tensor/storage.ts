// A tensor's bytes, shared by the tensor and its reshaped views and freed when the last one goes.
// They live in one home: the heap (at `offset`) or, once moved there, a GPU buffer (`deviceId`) of
// the webgpu backend's device worker. Moving changes the home of every view at once.
import { deviceBytes, deviceStore, type DeviceStore } from './device.js';
import { heap } from './heap.js';

/** Bumped on every move between homes: views cached before a move are stale. */
export const homeMoves = { count: 0 };
/** Storages on the GPU now, so that closing the device can bring them home first. */
const resident = new Set<Storage>();

export class Storage {
  references = 1;
  /** The GPU buffer holding the values while they live on the device, else null. */
  deviceId: number | null = null;

  constructor(
    public offset: number,
    readonly bytes: number,
  ) {}

  /** Drops one reference; `collected` when the garbage collector, not dispose(), dropped it. */
  release(collected = false): void {
    this.references--;
    if (this.references > 0) return;
    if (this.deviceId === null) return heap.free(this.offset, this.bytes, collected);
    deviceStore()?.free(this.deviceId);
    this.leaveDevice(collected);
  }

  /** Bytes that start on the GPU, zero-filled, never uploaded: an output the GPU kernels write. */
  static onDevice(store: DeviceStore, bytes: number): Storage {
    const storage = new Storage(-1, bytes);
    storage.deviceId = store.allocate(bytes);
    deviceBytes.inUse += bytes;
    resident.add(storage);
    return storage;
  }

  /** A new GPU buffer holding a copy of `values` (which stay where they are). */
  static uploaded(store: DeviceStore, values: Float32Array | Int32Array): Storage {
    const storage = new Storage(-1, values.byteLength);
    storage.deviceId = store.upload(values);
    deviceBytes.inUse += storage.bytes;
    resident.add(storage);
    return storage;
  }

  /** Uploads the values (the heap view `values`) to a new GPU buffer and frees their heap bytes. */
  toDevice(store: DeviceStore, values: Float32Array | Int32Array): void {
    this.deviceId = store.upload(values);
    heap.free(this.offset, this.bytes);
    this.offset = -1;
    deviceBytes.inUse += this.bytes;
    resident.add(this);
    homeMoves.count++;
  }

  /** Reads the values back into fresh heap bytes and frees the GPU buffer (reads copy bytes, whatever the dtype). */
  toHeap(): void {
    const id = this.deviceId!;
    this.offset = heap.alloc(this.bytes);
    deviceStore()!.read(id, new Float32Array(heap.memory.buffer, this.offset, this.bytes / 4));
    deviceStore()!.free(id);
    this.leaveDevice(false);
  }

  /** A copy of the resident values, read back; the home stays the GPU. */
  readCopy(int: boolean): Float32Array | Int32Array {
    const copy = int ? new Int32Array(this.bytes / 4) : new Float32Array(this.bytes / 4);
    deviceStore()!.read(this.deviceId!, copy);
    return copy;
  }

  private leaveDevice(collected: boolean): void {
    this.deviceId = null;
    deviceBytes.inUse -= this.bytes;
    if (collected) deviceBytes.collected += this.bytes;
    resident.delete(this);
    homeMoves.count++;
  }
}

/** Brings every resident tensor's values to the heap (before the device closes). */
export function bringAllHome(): void {
  for (const storage of [...resident]) storage.toHeap();
}
