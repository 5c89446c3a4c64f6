// Picks the fastest backend the library registered in this browser (WebAssembly when SIMD works,
// else the reference TypeScript kernels) and says which one runs, and whether threads can.
import { getBackend, getThreadCount, listBackends, setBackend } from '../../src/index.js';

export interface BackendReport {
  readonly name: string;
  readonly available: readonly string[];
  /** SharedArrayBuffer needs cross-origin isolation (COOP + COEP headers). */
  readonly isolated: boolean;
  /** Threads a parallel WebAssembly kernel may use, the main thread included. */
  readonly threads: number;
}

export function chooseBackend(): BackendReport {
  const available = listBackends();
  if (available.includes('wasm')) {
    try {
      setBackend('wasm');
    } catch {
      // A wasm backend that refuses (no SIMD) leaves the reference backend active.
    }
  }
  const name = getBackend();
  const threads = name === 'wasm' ? getThreadCount() : 1;
  return { name, available, isolated: globalThis.crossOriginIsolated === true, threads };
}

/**
 * Why this page cannot offer webgpu, or null where it can: the webgpu kernels run in a Web Worker
 * that waits for the GPU in shared memory (cross-origin isolation), on an adapter navigator.gpu gives.
 */
export async function webGpuRefusal(): Promise<string | null> {
  const gpu = (navigator as { gpu?: GPU }).gpu;
  if (gpu === undefined) return 'this browser has no WebGPU (navigator.gpu)';
  if (!globalThis.crossOriginIsolated) return 'the page is not cross-origin isolated (no COOP/COEP headers)';
  try {
    return (await gpu.requestAdapter()) === null ? 'WebGPU gives no adapter here' : null;
  } catch (error) {
    return `WebGPU gives no adapter here (${String(error)})`;
  }
}
