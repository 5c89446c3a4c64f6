// Which thread this instance of a kernel module runs on: 0 on the main thread, 1.. on the pool's
// workers (src/kernels/wasm/threads.ts sets it once per worker instance). A wasm global belongs to
// its instance, not to the shared memory, so each thread reads its own. Kernels use it to pick
// their per-thread scratch slot, which stays theirs however many ranges of a job they run.

let threadSlot: i32 = 0;

/** Called once by a worker after instantiating the module. */
export function setThreadSlot(slot: i32): void {
  threadSlot = slot;
}

/** This thread's slot: scratch slot `slot` lies `slot · slotBytes` past the scratch region. */
@inline
export function currentThreadSlot(): i32 {
  return threadSlot;
}
