// The words the main thread and the device worker share: one job at a time, the main thread
// blocked in Atomics.wait on Status until the worker sets it, an error message after it.
import type { ArrayRole, JobStep } from './params.js';

export const Status = { pending: 0, done: 1, failed: 2 } as const;

/** Int32 words before the error message's bytes: status, message length in bytes. */
export const CONTROL_WORDS = 2;
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

/** Writes `status` and, for a failure, its message; wakes the main thread. */
export function signal(control: Int32Array, status: number, message = ''): void {
  const bytes = new TextEncoder().encode(message).subarray(0, CONTROL_BYTES - CONTROL_WORDS * 4);
  new Uint8Array(control.buffer, CONTROL_WORDS * 4).set(bytes);
  control[1] = bytes.length;
  Atomics.store(control, 0, status);
  Atomics.notify(control, 0);
}

/** The failure message the worker wrote. */
export function failureMessage(control: Int32Array): string {
  // TextDecoder refuses views of shared memory: copy first.
  const bytes = new Uint8Array(control.buffer, CONTROL_WORDS * 4, control[1]!).slice();
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
