// How much of the heap tensors use: for tests that check nothing leaks, and for curious users.
import { heap, type HeapStats } from './heap.js';

/**
 * The heap's accounting, in bytes (each allocation rounded up to its size class):
 * - `bytesInUse`: held by live tensors now. It drops whenever the garbage collector reclaims a
 *   tensor that was never disposed, so it moves with the collector's timing;
 * - `bytesCollected`: reclaimed so far by the collector from tensors never disposed;
 * - `bytesUndisposed`: `bytesInUse + bytesCollected`, the bytes of every tensor made and not
 *   disposed. It changes only when tensors are made or disposed, never when the collector runs:
 *   compare it before and after a piece of work to find a leak;
 * - `heapBytes`: the size of the WebAssembly memory; `shared`: whether worker threads share it.
 * @example const before = memoryStats().bytesUndisposed; // ...work...; then compare again
 */
export function memoryStats(): HeapStats {
  return heap.stats();
}
