// How much of the heap tensors use: for tests that check nothing leaks, and for curious users.
import { deviceBytes } from './device.js';
import { heap, type HeapStats } from './heap.js';

/** The heap's accounting, and the GPU buffers' apart (tensors moved there with to('webgpu')). */
export interface MemoryStats extends HeapStats {
  /** Bytes of GPU buffers held by live tensors now. */
  gpuBytesInUse: number;
  /** gpuBytesInUse plus the GPU bytes the garbage collector reclaimed: compare before and after, as bytesUndisposed. */
  gpuBytesUndisposed: number;
}

/**
 * The heap's accounting, in bytes (each allocation rounded up to its size class):
 * - `bytesInUse`: held by live tensors now. It drops whenever the garbage collector reclaims a
 *   tensor that was never disposed, so it moves with the collector's timing;
 * - `bytesCollected`: reclaimed so far by the collector from tensors never disposed;
 * - `bytesUndisposed`: `bytesInUse + bytesCollected`, the bytes of every tensor made and not
 *   disposed. It changes only when tensors are made or disposed, never when the collector runs:
 *   compare it before and after a piece of work to find a leak;
 * - `heapBytes`: the size of the WebAssembly memory; `shared`: whether worker threads share it;
 * - `gpuBytesInUse`, `gpuBytesUndisposed`: the same for tensors whose values live on the GPU (a
 *   tensor counts in the heap's figures or the GPU's, wherever its values are).
 * @example const before = memoryStats().bytesUndisposed; // ...work...; then compare again
 */
export function memoryStats(): MemoryStats {
  return {
    ...heap.stats(),
    gpuBytesInUse: deviceBytes.inUse,
    gpuBytesUndisposed: deviceBytes.inUse + deviceBytes.collected,
  };
}
