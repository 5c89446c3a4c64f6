// Where every tensor's bytes live: one WebAssembly.Memory, shared when the platform allows, so the
// plain-TypeScript kernels read it through typed-array views and the WebAssembly kernels (and their
// worker threads) read it by offset, with no copy on the hot path.

const PAGE_BYTES = 65536;
/** Bytes below this offset belong to the WebAssembly kernels (static data, argument blocks). */
export const RESERVED_BYTES = 1 << 20;
/** Every allocation starts on a 64-byte boundary: a cache line, and aligned for SIMD loads. */
export const ALIGNMENT = 64;
/** Allocations up to this size are recycled by exact size class; larger ones coalesce. */
const SMALL_LIMIT = 1 << 20;
/** 4 GiB, the most a 32-bit WebAssembly memory can address. */
export const MAX_PAGES = 65536;
/** The largest single allocation the heap can ever satisfy: 4 GiB less the reserved bytes. */
export const MAX_ALLOCATION_BYTES = MAX_PAGES * PAGE_BYTES - RESERVED_BYTES;

/** What the heap reports: see memoryStats() for each field's meaning. */
export interface HeapStats {
  bytesInUse: number;
  bytesCollected: number;
  bytesUndisposed: number;
  heapBytes: number;
  shared: boolean;
}

interface FreeBlock {
  offset: number;
  bytes: number;
}

export class Heap {
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  /** Bumped whenever the memory grows: non-shared buffers detach then, so views must be renewed. */
  generation = 0;
  private top = RESERVED_BYTES;
  /** Size classes of the live allocations: exact, whatever state the free lists are in. */
  private bytesInUse = 0;
  /** Bytes the garbage collector's safety net gave back, over the process's life. */
  private bytesCollected = 0;
  private readonly smallFree = new Map<number, number[]>();
  private readonly largeFree: FreeBlock[] = [];
  /** Large blocks handed out whole (too little left to split) remember their true size here. */
  private readonly wholeBlocks = new Map<number, number>();

  constructor(initialPages = 64) {
    const made = createMemory(initialPages);
    this.memory = made.memory;
    this.shared = made.shared;
  }

  /** Rounds a request to its size class: 64-byte steps when small, 1/8 of a power of two above. */
  static sizeClass(bytes: number): number {
    const aligned = Math.max(ALIGNMENT, Math.ceil(bytes / ALIGNMENT) * ALIGNMENT);
    if (aligned <= 4096) return aligned;
    const step = 2 ** (Math.floor(Math.log2(aligned)) - 3);
    return Math.ceil(aligned / step) * step;
  }

  /**
   * The offset of `bytes` fresh bytes. A request that cannot be met (not a safe integer, over 4 GiB,
   * or more than the memory can grow to) throws a RangeError and leaves the heap as it was.
   */
  alloc(bytes: number): number {
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      throw new RangeError(`poolkit: cannot allocate ${bytes} bytes: a size must be a non-negative safe integer`);
    }
    if (bytes > MAX_ALLOCATION_BYTES) throw outOfMemory(bytes);
    if (bytes === 0) return RESERVED_BYTES;
    const size = Heap.sizeClass(bytes);
    const offset = (size <= SMALL_LIMIT ? this.smallFree.get(size)?.pop() : this.takeLarge(size)) ?? this.bump(size);
    this.bytesInUse += size;
    return offset;
  }

  /** Gives bytes back; `collected` marks bytes the garbage collector reclaimed (never disposed). */
  free(offset: number, bytes: number, collected = false): void {
    if (bytes === 0) return;
    const size = Heap.sizeClass(bytes);
    this.bytesInUse -= size;
    if (collected) this.bytesCollected += size;
    if (size <= SMALL_LIMIT) {
      const list = this.smallFree.get(size);
      if (list) list.push(offset);
      else this.smallFree.set(size, [offset]);
      return;
    }
    this.releaseLarge({ offset, bytes: size });
  }

  stats(): HeapStats {
    return {
      bytesInUse: this.bytesInUse,
      bytesCollected: this.bytesCollected,
      bytesUndisposed: this.bytesInUse + this.bytesCollected,
      heapBytes: this.memory.buffer.byteLength,
      shared: this.shared,
    };
  }

  private bump(size: number): number {
    const offset = this.top;
    const end = offset + size;
    if (end > this.memory.buffer.byteLength) this.growTo(end, size);
    this.top = end;
    return offset;
  }

  private growTo(end: number, request: number): void {
    const needed = Math.ceil(end / PAGE_BYTES);
    const current = this.memory.buffer.byteLength / PAGE_BYTES;
    if (needed > MAX_PAGES) throw outOfMemory(request, end);
    // Grow by at least half again, so a run of allocations does not grow page by page; where the
    // system refuses that much, try exactly what is needed before giving up.
    const target = Math.min(MAX_PAGES, Math.max(needed, Math.ceil(current * 1.5)));
    try {
      this.memory.grow(target - current);
    } catch {
      try {
        this.memory.grow(needed - current);
      } catch {
        throw outOfMemory(request, end, 'the system refused to grow the WebAssembly memory');
      }
    }
    this.generation++;
  }

  /** Best fit among the large free blocks; the rest of a split block stays free. */
  private takeLarge(size: number): number | undefined {
    let best = -1;
    for (let index = 0; index < this.largeFree.length; index++) {
      const block = this.largeFree[index]!;
      if (block.bytes >= size && (best < 0 || block.bytes < this.largeFree[best]!.bytes)) best = index;
    }
    if (best < 0) return undefined;
    const block = this.largeFree[best]!;
    const offset = block.offset;
    if (block.bytes - size >= SMALL_LIMIT) {
      block.offset += size;
      block.bytes -= size;
    } else {
      // The tail too small to split rides along, outside bytesInUse (which counts requests only).
      this.largeFree.splice(best, 1);
      this.wholeBlocks.set(offset, block.bytes);
    }
    return offset;
  }

  /** Inserts a block in offset order, merges it with its neighbours, and lowers the top if it can. */
  private releaseLarge(released: FreeBlock): void {
    const carried = this.wholeBlocks.get(released.offset);
    if (carried !== undefined) {
      released.bytes = carried;
      this.wholeBlocks.delete(released.offset);
    }
    let index = this.largeFree.findIndex((block) => block.offset > released.offset);
    if (index < 0) index = this.largeFree.length;
    this.largeFree.splice(index, 0, released);
    const next = this.largeFree[index + 1];
    if (next && released.offset + released.bytes === next.offset) {
      released.bytes += next.bytes;
      this.largeFree.splice(index + 1, 1);
    }
    const previous = this.largeFree[index - 1];
    if (previous && previous.offset + previous.bytes === released.offset) {
      previous.bytes += released.bytes;
      this.largeFree.splice(index, 1);
    }
    const last = this.largeFree[this.largeFree.length - 1];
    if (last && last.offset + last.bytes === this.top) {
      this.top = last.offset;
      this.largeFree.pop();
    }
  }
}

function outOfMemory(request: number, end?: number, cause?: string): RangeError {
  const need = end === undefined ? `${request} bytes` : `${request} more bytes (${end} in all)`;
  const why = cause ?? 'more than the 4 GiB a WebAssembly memory can hold';
  return new RangeError(
    `poolkit: out of memory: tensors need ${need}, ${why}; ` +
      'dispose tensors you no longer need (tidy, dispose) or use smaller batches',
  );
}

function createMemory(initial: number): { memory: WebAssembly.Memory; shared: boolean } {
  try {
    return { memory: new WebAssembly.Memory({ initial, maximum: MAX_PAGES, shared: true }), shared: true };
  } catch {
    // Browsers without cross-origin isolation refuse shared memory: single-threaded then.
    return { memory: new WebAssembly.Memory({ initial, maximum: MAX_PAGES }), shared: false };
  }
}

/** The one heap of this process (or browser tab). */
export const heap = new Heap();
