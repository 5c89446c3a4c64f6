// The 'wasm' backend: poolkit's WebAssembly SIMD kernels (pooling here, training kernels from
// train-kernels.ts), registered and made active at import when the engine validates SIMD; else the
// reference backend stays and one console message says why. Environment (Node):
//   POOLKIT_BACKEND=reference|wasm|webgpu  the backend active after import (default wasm when available;
//                                  webgpu is started by ../webgpu/index.ts);
//   POOLKIT_THREADS=n               threads for large kernels, 1 to 64 (default: the machine's cores);
//   POOLKIT_WASM_SIMD=plain|relaxed the kernels' build (default relaxed where the engine has it; loader.ts).
import { listBackends, registerBackend, setBackend, type Backend } from '../backend.js';
import * as poolModule from './generated/pool.js';
import { loadKernelModule, simdSupported } from './loader.js';
import { createPoolKernels } from './pool-kernels.js';
import {
  defaultThreadCount,
  isThreadCount,
  MAX_THREADS,
  registerThreadModule,
  setThreadCount,
  threadsAvailable,
} from './threads.js';
import { wasmKindKernels } from './kinds/index.js';
import { createConvPoolKernels } from './train-conv-pool.js';
import { trainKernelModule, wasmLayoutKernels, wasmTrainKernels, type TrainModuleKernels } from './train-kernels.js';

export { getThreadCount, MAX_THREADS, setThreadCount, threadsReady } from './threads.js';

function environment(name: string): string | undefined {
  if (typeof process === 'undefined' || typeof process.env !== 'object') return undefined;
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** POOLKIT_THREADS, or the machine's cores (at most MAX_THREADS); a bad value is reported and ignored. */
async function threadCountFromEnvironment(): Promise<number> {
  const text = environment('POOLKIT_THREADS');
  if (text === undefined) return defaultThreadCount();
  const count = Number(text);
  if (isThreadCount(count)) return count;
  console.warn(
    `poolkit: POOLKIT_THREADS must be an integer from 1 to ${MAX_THREADS}, got '${text}'; using the machine's cores`,
  );
  return defaultThreadCount();
}

/** The wasm backend's kernel table, or null where the engine lacks SIMD (for tests and benchmarks). */
export let wasmBackend: Backend | null = null;

async function registerWasmBackend(): Promise<boolean> {
  if (typeof WebAssembly !== 'object' || !simdSupported(poolModule)) {
    console.info('poolkit: WebAssembly SIMD is not available in this engine; using the reference backend');
    return false;
  }
  const pool = await loadKernelModule('pool', poolModule);
  registerThreadModule(pool);
  const poolKernels = createPoolKernels(pool);
  const convPoolKernels =
    trainKernelModule === null ||
    wasmTrainKernels.conv2dForward === undefined ||
    wasmTrainKernels.conv2dBackwardFilter === undefined
      ? {}
      : createConvPoolKernels(trainKernelModule, wasmTrainKernels as TrainModuleKernels, poolKernels);
  const backend: Backend = {
    name: 'wasm',
    kernels: { ...wasmKindKernels, ...poolKernels, ...wasmTrainKernels, ...wasmLayoutKernels, ...convPoolKernels },
    poolsChannelsLast: true,
  };
  registerBackend(backend);
  wasmBackend = backend;
  if (threadsAvailable()) await setThreadCount(await threadCountFromEnvironment());
  return true;
}

const wasmReady = await registerWasmBackend();
const requested = environment('POOLKIT_BACKEND');
if (requested !== undefined && listBackends().includes(requested)) {
  setBackend(requested);
} else if (requested === 'webgpu') {
  // Started by kernels/webgpu/index.ts, which says so where it cannot start; until then the default.
  if (wasmReady) setBackend('wasm');
} else {
  if (requested !== undefined) {
    console.warn(`poolkit: POOLKIT_BACKEND must be one of ${listBackends().join(', ')}, got '${requested}'; ignored`);
  }
  if (wasmReady) setBackend('wasm');
}
