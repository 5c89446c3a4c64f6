// Index tables the regions family's kernels read (regions drawn per call, kept rows) live in plain
// arrays on the TypeScript side; the kernels need them in the heap.
import { heap } from '../../../tensor/heap.js';

/**
 * Copies int32 tables into one heap allocation; returns their addresses and the function that frees
 * it. Callers take their tensors' addresses before: the alloc may grow (and detach) the memory.
 */
export function heapTables(tables: readonly Int32Array[]): { addresses: number[]; release: () => void } {
  const bytes = 4 * tables.reduce((total, table) => total + table.length, 0);
  const base = heap.alloc(Math.max(bytes, 4));
  const addresses: number[] = [];
  let at = base;
  for (const table of tables) {
    new Int32Array(heap.memory.buffer, at, table.length).set(table);
    addresses.push(at);
    at += 4 * table.length;
  }
  return { addresses, release: () => heap.free(base, Math.max(bytes, 4)) };
}
