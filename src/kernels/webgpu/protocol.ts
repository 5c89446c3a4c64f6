// The words the main thread and the device worker share: one job at a time, the main thread
// blocked in Atomics.wait until the worker writes the job's sequence number as answered, with the
// job's status and, for a failure, an error message.
import type { ArrayRole, JobStep } from './params.js';

export const Status = { done: 1, failed: 2 } as const;

/** The control words' indices: the answer's status, its message's length in bytes, the sequence number it answers. */
const STATUS = 0;
const MESSAGE_BYTES = 1;
const ANSWERED = 2;
/** Int32 words before the error message's bytes. */
export const CONTROL_WORDS = 3;
export const CONTROL_BYTES = 64 * 1024;

/** Where one array of a job lies in the staging buffer. */
export interface StagedArray {
  readonly offset: number;
  readonly length: number;
  readonly type: 'float32' | 'int32';
  readonly role: ArrayRole;
  /** A resident buffer's id: nothing of it is staged. */
  readonly resident?: number;
}

export interface JobMessage {
  readonly type: 'job';
  /**
   * The number the worker answers with (see waitForAnswer); 0 for a queued job, which nothing waits
   * for (every array resident: nothing staged, nothing to copy back); a queued job's failure is
   * reported with the next answer instead.
   */
  readonly sequence: number;
  readonly shader: string;
  readonly params: Int32Array;
  readonly work: number;
  readonly bindings?: readonly number[];
  readonly then?: readonly JobStep[];
  readonly staging: SharedArrayBuffer;
  readonly arrays: readonly StagedArray[];
}

/** Makes resident buffer `id` from the staged array ('upload'), or copies it into the staged array ('read'). */
export interface TransferMessage {
  readonly type: 'upload' | 'read';
  readonly sequence: number;
  readonly id: number;
  readonly staging: SharedArrayBuffer;
  readonly array: StagedArray;
}

/** Destroys resident buffer `id` (nothing waits for it). */
export interface FreeMessage {
  readonly type: 'free';
  readonly id: number;
}

/** Makes resident buffer `id`, zero-filled, of `bytes` bytes (nothing waits for it). */
export interface AllocateMessage {
  readonly type: 'allocate';
  readonly id: number;
  readonly bytes: number;
}

export interface ReadyMessage {
  readonly type: 'ready';
  readonly adapter: string;
  readonly limits: { readonly maxStorageBufferBindingSize: number; readonly maxBufferSize: number };
}

export interface FailedMessage {
  readonly type: 'failed';
  readonly reason: string;
}

/** Writes the answer to message `sequence`: `status` and, for a failure, its message; wakes the main thread. */
export function signal(control: Int32Array, sequence: number, status: number, message = ''): void {
  const bytes = new TextEncoder().encode(message).subarray(0, CONTROL_BYTES - CONTROL_WORDS * 4);
  new Uint8Array(control.buffer, CONTROL_WORDS * 4).set(bytes);
  control[MESSAGE_BYTES] = bytes.length;
  control[STATUS] = status;
  // The sequence number goes last (sequentially consistent): whoever reads it reads the status.
  Atomics.store(control, ANSWERED, sequence);
  Atomics.notify(control, ANSWERED);
}

/**
 * Blocks until the worker has answered message `sequence`; false when `timeoutMs` passed first.
 * It waits for the number, not for a change of a status word: a worker that is preempted between
 * storing one answer and its notify wakes the thread during the next job, which a status word
 * cannot tell from that job's own answer (the main thread then read the staging buffer before
 * the worker had written it: wrong numbers, at random, under load).
 */
export function waitForAnswer(control: Int32Array, sequence: number, timeoutMs: number): boolean {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const answered = Atomics.load(control, ANSWERED);
    if (answered === sequence) return true;
    const left = deadline - performance.now();
    if (left <= 0 || Atomics.wait(control, ANSWERED, answered, left) === 'timed-out') {
      return Atomics.load(control, ANSWERED) === sequence;
    }
  }
}

/** Whether the answer waitForAnswer saw is a failure. */
export function answerFailed(control: Int32Array): boolean {
  return control[STATUS] === Status.failed;
}

/** The failure message the worker wrote. */
export function failureMessage(control: Int32Array): string {
  // TextDecoder refuses views of shared memory: copy first.
  const bytes = new Uint8Array(control.buffer, CONTROL_WORDS * 4, control[MESSAGE_BYTES]!).slice();
  return new TextDecoder().decode(bytes);
}

let placeholderBytes = new ArrayBuffer(1024);

/**
 * A view of `length` elements standing for a device-only array, whose values never exist on the
 * host: every placeholder shares one buffer, grown as needed, never read or written.
 */
export function placeholder(length: number, type: StagedArray['type']): Float32Array | Int32Array {
  if (placeholderBytes.byteLength < length * 4) {
    placeholderBytes = new ArrayBuffer(Math.max(length * 4, placeholderBytes.byteLength * 2));
  }
  return type === 'float32'
    ? new Float32Array(placeholderBytes, 0, length)
    : new Int32Array(placeholderBytes, 0, length);
}

/** A typed view of a staged array; a device-only array has no staging, only its length. */
export function stagedView(staging: SharedArrayBuffer, array: StagedArray): Float32Array | Int32Array {
  if (array.role === 'device' || array.resident !== undefined) return placeholder(array.length, array.type);
  return array.type === 'float32'
    ? new Float32Array(staging, array.offset, array.length)
    : new Int32Array(staging, array.offset, array.length);
}
