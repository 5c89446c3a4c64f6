// The worker pool's control block (ARGUMENT_BLOCKS.threads in heap.memory): one slot of Int32 words
// per thread, through which the main thread hands out jobs and workers report back. The layout is
// written once here; threads.ts uses it on the main thread, worker-source.ts inside every worker.
import { heap } from '../../tensor/heap.js';
import { ARGUMENT_BLOCKS } from './loader.js';

/** Int32 words per slot: 64 bytes, one cache line, so slots never share one. */
export const SLOT_WORDS = 16;

/**
 * Most threads a kernel can run on, the main thread included: one slot per thread. Slot 0 is the
 * main thread's (it holds the job's shared chunk counter); slot n belongs to worker n.
 */
export const MAX_THREADS = ARGUMENT_BLOCKS.threads.bytes / (SLOT_WORDS * 4);

/** The words of a worker's slot, by offset from the slot's first word. */
export const Word = {
  /** Bumped by the main thread to hand out a job. */
  Request: 0,
  /** Set to the request number by the worker when the job is done. */
  Done: 1,
  Module: 2,
  /** The export to run, or a Command. */
  Function: 3,
  Arguments: 4,
  /** The job's units. */
  Units: 5,
  /** Units per chunk. */
  Chunk: 6,
  /** How many registered modules the worker has instantiated. */
  Loaded: 7,
  /** 1 when the last job threw. */
  Failed: 8,
  /** 1 while the worker blocks on its Request word (not in its event loop). */
  Serving: 9,
  /** The id of the worker that holds the slot; the worker clears it as its thread exits. */
  Owner: 10,
  /** For tests only: a Fault the worker acts out in its next job. */
  Fault: 11,
} as const;

/** Function words that are not exports. */
export const Command = {
  /** Return to the event loop (to receive newly registered modules), then serve again. */
  Yield: -1,
  /** Stop serving: the worker is being terminated. */
  Stop: -2,
} as const;

/**
 * For tests only: what a worker does in its next job. Throw and Exit come after taking a chunk;
 * Delay sleeps FAULT_DELAY_MS before taking part, as a slow thread would.
 */
export const Fault = { None: 0, Throw: 1, Exit: 2, Delay: 3 } as const;
export const FAULT_DELAY_MS = 200;

/** The word (in slot 0, which no worker owns) from which every thread of a job takes its next chunk. */
export const NEXT_CHUNK = 0;

let control: Int32Array | null = null;

/** The control block's words, renewed when the heap's buffer changes. */
export function controlWords(): Int32Array {
  const buffer = heap.memory.buffer;
  if (control === null || control.buffer !== buffer) {
    control = new Int32Array(buffer, ARGUMENT_BLOCKS.threads.offset, ARGUMENT_BLOCKS.threads.bytes / 4);
  }
  return control;
}

/** The index in controlWords() of `word` in `slot`. */
export function slotWord(slot: number, word: number): number {
  return slot * SLOT_WORDS + word;
}
