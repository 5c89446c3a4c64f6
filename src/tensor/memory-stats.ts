// How much of the heap tensors use: for tests that check nothing leaks, and for curious users.
import { heap } from './heap.js';

export function memoryStats(): { bytesInUse: number; heapBytes: number; shared: boolean } {
  return heap.stats();
}
