// The words the main thread and the device worker share: one job at a time, the main thread
// blocked in Atomics.wait on Status until the worker sets it, an error message after it.
export const Status = { pending: 0, done: 1, failed: 2 } as const;

/** Int32 words before the error message's bytes: status, message length in bytes. */
export const CONTROL_WORDS = 2;
export const CONTROL_BYTES = 64 * 1024;

/** Where one array of a job lies in the staging buffer. */
export interface StagedArray {
  readonly offset: number;
  readonly length: number;
  readonly type: 'float32' | 'int32';
  readonly role: 'read' | 'write' | 'readWrite';
}

export interface JobMessage {
  readonly type: 'job';
  readonly shader: string;
  readonly params: Int32Array;
  readonly work: number;
  readonly staging: SharedArrayBuffer;
  readonly arrays: readonly StagedArray[];
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

/** A typed view of a staged array. */
export function stagedView(staging: SharedArrayBuffer, array: StagedArray): Float32Array | Int32Array {
  return array.type === 'float32'
    ? new Float32Array(staging, array.offset, array.length)
    : new Int32Array(staging, array.offset, array.length);
}
