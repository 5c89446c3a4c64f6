// Synchronous GPU kernels for Node: the kernel table's functions return only when their outputs are
// written, and WebGPU only answers asynchronously, so the device lives in a worker thread (device-
// worker.ts) and the main thread copies a job's arrays into shared staging memory, posts the job
// and blocks in Atomics.wait until the worker has run it and copied the results back there.
import { residentBufferOf } from '../../tensor/device.js';
import { startDeviceWorker } from './device-start.js';
import type { GpuJob } from './params.js';
import {
  stagedView,
  CONTROL_BYTES,
  answerFailed,
  failureMessage,
  waitForAnswer,
  type FailedMessage,
  type AllocateMessage,
  type JobMessage,
  type ReadyMessage,
  type StagedArray,
  type TransferMessage,
} from './protocol.js';

/** Arrays (and their bytes) copied to the device and back since the bridge started: what residency saves. */
export interface TransferCounts {
  uploads: number;
  uploadBytes: number;
  readBacks: number;
  readBackBytes: number;
}

/** How long one kernel may take before the backend reports the device as hung (SwiftShader is slow). */
const JOB_TIMEOUT_MS = 300_000;
const ALIGNMENT = 256;
const INITIAL_STAGING_BYTES = 1 << 20;
/** Staging kept between transfers at most: a larger one is made for its transfer only. */
const KEPT_STAGING_BYTES = 64 << 20;

/** The device worker as the bridge uses it: a worker_threads Worker, or a Web Worker adapted (device-start.ts). */
export interface WorkerHandle {
  postMessage(message: unknown): void;
  once(event: 'message', listener: (message: ReadyMessage | FailedMessage) => void): void;
  once(event: 'error' | 'exit', listener: (value: unknown) => void): void;
  unref(): void;
  terminate(): Promise<number>;
}

export class WorkerBridge {
  private staging = new SharedArrayBuffer(INITIAL_STAGING_BYTES);
  private broken: string | null = null;
  private nextId = 1;
  /** The last message's sequence number (wraps below 2^31, never 0: the control words start at 0). */
  private sequence = 0;
  readonly transfers: TransferCounts = { uploads: 0, uploadBytes: 0, readBacks: 0, readBackBytes: 0 };
  /** Jobs posted without waiting (every array resident); the worker runs every message in order. */
  queuedJobs = 0;

  private constructor(
    private readonly worker: WorkerHandle,
    private readonly control: Int32Array,
    readonly ready: ReadyMessage,
  ) {}

  /** Starts the device worker; rejects with the reason when it finds no adapter. */
  static async start(): Promise<WorkerBridge> {
    const control = new Int32Array(new SharedArrayBuffer(CONTROL_BYTES));
    const worker = await startDeviceWorker(control.buffer as SharedArrayBuffer);
    const answer = await new Promise<ReadyMessage | FailedMessage>((resolve) => {
      worker.once('message', resolve);
      worker.once('error', (error) => resolve({ type: 'failed', reason: String(error) }));
      worker.once('exit', (code) => resolve({ type: 'failed', reason: `the device worker exited (${String(code)})` }));
    });
    if (answer.type === 'failed') {
      await worker.terminate();
      throw new Error(answer.reason);
    }
    worker.unref(); // an idle device must not keep the process alive
    return new WorkerBridge(worker, control, answer);
  }

  /**
   * Runs `job` on the device and writes its outputs into its arrays; throws what the device reported.
   * A job whose arrays are all resident (or the job's own device arrays) stages and copies back
   * nothing, so it is only queued: the worker runs messages in order, so later jobs and reads see
   * its results, and a failure of it is thrown by the next call that waits.
   */
  run(job: GpuJob): void {
    const { staged, bytes } = this.layout(job);
    if (bytes === 0 && staged.every((array) => array.resident !== undefined || array.role === 'device')) {
      if (this.broken !== null) throw new Error(`poolkit: the WebGPU device is unusable: ${this.broken}`);
      this.worker.postMessage({ ...this.jobMessage(job, staged), sequence: 0 } satisfies JobMessage);
      this.queuedJobs++;
      return;
    }
    this.reserve(bytes);
    job.arrays.forEach((array, index) => {
      if (staged[index]!.resident === undefined && (array.role === 'read' || array.role === 'readWrite')) {
        this.view(staged[index]!).set(array.data);
        this.count('upload', array.data.byteLength);
      }
    });
    try {
      this.post(this.jobMessage(job, staged));
      job.arrays.forEach((array, index) => {
        if (staged[index]!.resident === undefined && (array.role === 'write' || array.role === 'readWrite')) {
          array.data.set(this.view(staged[index]!));
          this.count('readBack', array.data.byteLength);
        }
      });
    } finally {
      this.shrinkStaging();
    }
  }

  /** A new resident buffer holding a copy of `data`; its id. */
  upload(data: Float32Array | Int32Array): number {
    const id = this.nextId++;
    const array = this.stagedAt(data);
    this.reserve(data.byteLength);
    this.view(array).set(data);
    try {
      this.post({ type: 'upload', id, staging: this.staging, array } satisfies Omit<TransferMessage, 'sequence'>);
    } finally {
      this.shrinkStaging();
    }
    this.count('upload', data.byteLength);
    return id;
  }

  /** A new zero-filled resident buffer of `bytes` bytes; its id (nothing waits: the worker takes messages in order). */
  allocate(bytes: number): number {
    const id = this.nextId++;
    if (this.broken === null) this.worker.postMessage({ type: 'allocate', id, bytes } satisfies AllocateMessage);
    return id;
  }

  /** Copies resident buffer `id` into `into` (bytes, whatever its type). */
  read(id: number, into: Float32Array | Int32Array): void {
    const array = this.stagedAt(into);
    this.reserve(into.byteLength);
    try {
      this.post({ type: 'read', id, staging: this.staging, array } satisfies Omit<TransferMessage, 'sequence'>);
      const bytes = new Uint8Array(this.staging, 0, into.byteLength);
      new Uint8Array(into.buffer, into.byteOffset, into.byteLength).set(bytes);
    } finally {
      this.shrinkStaging();
    }
    this.count('readBack', into.byteLength);
  }

  /** Destroys resident buffer `id`; nothing waits for it (the worker takes messages in order). */
  free(id: number): void {
    if (this.broken === null) this.worker.postMessage({ type: 'free', id });
  }

  private jobMessage(job: GpuJob, staged: readonly StagedArray[]): Omit<JobMessage, 'sequence'> {
    return {
      type: 'job',
      shader: job.shader,
      params: job.params,
      work: job.work,
      ...(job.bindings === undefined ? {} : { bindings: job.bindings }),
      ...(job.then === undefined ? {} : { then: job.then }),
      staging: this.staging,
      arrays: staged,
    };
  }

  private stagedAt(data: Float32Array | Int32Array): StagedArray {
    const type = data instanceof Float32Array ? ('float32' as const) : ('int32' as const);
    return { offset: 0, length: data.length, type, role: 'read' };
  }

  /** Bytes of shared staging memory held between transfers. */
  get stagingBytes(): number {
    return this.staging.byteLength;
  }

  /**
   * Lets a staging buffer grown past KEPT_STAGING_BYTES go once its transfer is done (fit uploads a
   * whole dataset in one transfer: 188 MB for MNIST, which would otherwise stay for the process's life).
   */
  private shrinkStaging(): void {
    if (this.staging.byteLength > KEPT_STAGING_BYTES) this.staging = new SharedArrayBuffer(INITIAL_STAGING_BYTES);
  }

  private reserve(bytes: number): void {
    if (bytes > this.staging.byteLength)
      this.staging = new SharedArrayBuffer(Math.max(bytes, this.staging.byteLength * 2));
  }

  private count(direction: 'upload' | 'readBack', bytes: number): void {
    const counts = this.transfers;
    if (direction === 'upload') {
      counts.uploads++;
      counts.uploadBytes += bytes;
    } else {
      counts.readBacks++;
      counts.readBackBytes += bytes;
    }
  }

  /** Posts `message` and blocks until the worker answers it; throws what it reported. */
  private post(message: Omit<JobMessage, 'sequence'> | Omit<TransferMessage, 'sequence'>): void {
    if (this.broken !== null) throw new Error(`poolkit: the WebGPU device is unusable: ${this.broken}`);
    this.sequence = (this.sequence % 0x7fff_ffff) + 1;
    this.worker.postMessage({ ...message, sequence: this.sequence });
    if (!waitForAnswer(this.control, this.sequence, JOB_TIMEOUT_MS)) {
      this.broken = `no answer within ${JOB_TIMEOUT_MS / 1000} s`;
      throw new Error(`poolkit: the WebGPU device gave no answer within ${JOB_TIMEOUT_MS / 1000} s`);
    }
    if (answerFailed(this.control)) throw new Error(failureMessage(this.control));
  }

  /** Destroys the device and ends the worker. */
  async close(): Promise<void> {
    this.broken = 'closed by closeWebGpu() (initWebGpu() starts a new one)';
    this.worker.postMessage({ type: 'close' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await this.worker.terminate();
  }

  private layout(job: GpuJob): { staged: StagedArray[]; bytes: number } {
    let bytes = 0;
    const staged = job.arrays.map((array) => {
      const offset = bytes;
      const resident = array.resident ?? residentBufferOf(array.data);
      if (array.role !== 'device' && resident === undefined)
        bytes += Math.ceil(array.data.byteLength / ALIGNMENT) * ALIGNMENT;
      const type = array.data instanceof Float32Array ? ('float32' as const) : ('int32' as const);
      return {
        offset,
        length: array.data.length,
        type,
        role: array.role,
        ...(resident === undefined ? {} : { resident }),
      };
    });
    return { staged, bytes };
  }

  private view(array: StagedArray): Float32Array | Int32Array {
    return stagedView(this.staging, array);
  }
}
