// The 'webgpu' backend: pooling kernels in WGSL (gpu-kernels.ts), every other kernel from the
// reference backend. Started explicitly, never by default: `await initWebGpu()` (or
// POOLKIT_BACKEND=webgpu at import) finds an adapter, registers the backend and makes it active.
// Tensors live in the WebAssembly heap unless moved to the GPU (tensor.to('webgpu')): a GPU kernel
// binds a resident tensor's buffer in place, and uploads and reads back the others.
import {
  announceBackend,
  getBackend,
  kernelsOf,
  listBackends,
  registerBackend,
  setBackend,
  type Backend,
} from '../backend.js';
import { residentBufferOf, setDeviceStore } from '../../tensor/device.js';
import { bringAllHome } from '../../tensor/storage.js';
import type { TransferCounts, WorkerBridge } from './bridge.js';
import { inNode } from './device-channel.js';
import { jobRefusal } from './device-runner.js';
import { createGpuKernels, type GpuKernels } from './gpu-kernels.js';

export interface WebGpuStatus {
  /** The adapter's vendor, architecture and description, as WebGPU reports them. */
  readonly adapter: string;
  /** Calls per GPU kernel that ran on the device. */
  readonly gpuCalls: Readonly<Record<string, number>>;
  /** Calls per GPU kernel that ran on the reference backend instead (an array too large for the device, an empty one). */
  readonly fallbackCalls: Readonly<Record<string, number>>;
  /**
   * Arrays copied to the GPU (`uploads`) and back (`readBacks`), and their bytes, since the backend
   * started: by kernels (inputs not resident, outputs) and by tensors moving or being read.
   */
  readonly transfers: Readonly<TransferCounts>;
  /** GPU jobs posted without waiting for them (every array resident), of the gpuCalls. */
  readonly queuedJobs: number;
  /** Shared staging memory held between transfers (at most 64 MiB: a larger transfer gets its own, let go after). */
  readonly stagingBytes: number;
}

const HOW_TO_START = 'await initWebGpu() first (Node with the npm package `webgpu`, or a Web Worker)';
announceBackend('webgpu', HOW_TO_START);

/** The webgpu backend's kernel table once started, else null (for tests and benchmarks). */
export let webGpuBackend: Backend | null = null;
let bridge: WorkerBridge | null = null;
let starting: Promise<void> | null = null;
const gpuCalls: Record<string, number> = {};
const fallbackCalls: Record<string, number> = {};

/**
 * Starts the webgpu backend and makes it active (`activate: false` only registers it). The device
 * runs in a worker of its own, which the synchronous kernels wait for: in Node any thread may wait;
 * in a browser only a (cross-origin isolated) dedicated Web Worker may, so a page runs poolkit there.
 * Rejects with the reason when there is no adapter, the package `webgpu` is not installed (Node), or
 * this thread cannot wait (a page's main thread).
 */
export function initWebGpu(options: { activate?: boolean } = {}): Promise<void> {
  starting ??= startWebGpu().catch((error: unknown) => {
    starting = null;
    throw error;
  });
  return starting.then(() => {
    if (options.activate ?? true) setBackend('webgpu');
  });
}

async function startWebGpu(): Promise<void> {
  const refusal = inNode() ? null : browserRefusal();
  if (refusal !== null) throw new Error(`poolkit: the webgpu backend cannot start here: ${refusal}`);
  const { WorkerBridge } = await import('./bridge.js');
  let started: WorkerBridge;
  try {
    started = await WorkerBridge.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`poolkit: the webgpu backend cannot start: ${reason}`);
  }
  bridge = started;
  const kernels = createGpuKernels((kernelName, job, fallback) => {
    const refusal = jobRefusal(job, started.ready.limits);
    if (refusal !== null && job.arrays.some((array) => residentBufferOf(array.data) !== undefined)) {
      throw new Error(`poolkit: ${kernelName} cannot run on the GPU (${refusal}) and a tensor it reads lives there`);
    }
    if (refusal !== null) {
      fallbackCalls[kernelName] = (fallbackCalls[kernelName] ?? 0) + 1;
      return fallback();
    }
    started.run(job);
    gpuCalls[kernelName] = (gpuCalls[kernelName] ?? 0) + 1;
  });
  const backend: Backend = { name: 'webgpu', kernels: kernels satisfies GpuKernels };
  setDeviceStore({
    backend: 'webgpu',
    upload: (data) => started.upload(data),
    allocate: (bytes) => started.allocate(bytes),
    read: (id, into) => started.read(id, into),
    free: (id) => started.free(id),
  });
  registerBackend(backend);
  webGpuBackend = backend;
  const { own, fallback } = kernelsOf('webgpu');
  console.info(
    `poolkit: webgpu on ${started.ready.adapter}: ${own.length} kernels on the GPU (${own.join(', ')}); ` +
      `${fallback.length} from the reference backend (kernelsOf('webgpu') lists them)`,
  );
}

/** Why a browser thread cannot run the backend (no shared memory, may not block, no WebGPU), or null. */
function browserRefusal(): string | null {
  if (typeof SharedArrayBuffer === 'undefined') {
    return 'no SharedArrayBuffer (the page must be cross-origin isolated: COOP and COEP headers)';
  }
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0); // 'not-equal' where this thread may wait
  } catch {
    return "this thread may not wait (a page's main thread): call initWebGpu() in a dedicated Web Worker";
  }
  const gpu = (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
  return gpu === undefined ? 'no navigator.gpu (this browser has no WebGPU, or it is switched off)' : null;
}

/** The adapter and how many calls ran on the GPU and on the reference fallback; null before initWebGpu. */
export function webGpuStatus(): WebGpuStatus | null {
  if (bridge === null) return null;
  const transfers = { ...bridge.transfers };
  return {
    adapter: bridge.ready.adapter,
    gpuCalls: { ...gpuCalls },
    fallbackCalls: { ...fallbackCalls },
    transfers,
    queuedJobs: bridge.queuedJobs,
    stagingBytes: bridge.stagingBytes,
  };
}

/**
 * Reads every tensor on the GPU back into the heap, destroys the device and stops its worker. Where
 * webgpu was active, the default backend (wasm, else reference) becomes active; the GPU kernels
 * throw until initWebGpu is called again.
 */
export async function closeWebGpu(): Promise<void> {
  if (bridge !== null) bringAllHome();
  setDeviceStore(null);
  const closing = bridge;
  bridge = null;
  starting = null;
  if (closing !== null && getBackend() === 'webgpu') setBackend(listBackends().includes('wasm') ? 'wasm' : 'reference');
  await closing?.close();
}

/** POOLKIT_BACKEND=webgpu: start it at import; where it cannot start, say why and keep the default. */
async function startFromEnvironment(): Promise<void> {
  if (typeof process === 'undefined' || process.env?.POOLKIT_BACKEND !== 'webgpu') return;
  try {
    await initWebGpu();
  } catch (error) {
    console.warn(`${error instanceof Error ? error.message : String(error)}; using ${listBackends().join(' or ')}`);
  }
}

await startFromEnvironment();
