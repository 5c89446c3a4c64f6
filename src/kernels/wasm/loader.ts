// Loads a generated WebAssembly kernel module (src/kernels/wasm/generated/<name>.ts) against the one
// shared heap memory, choosing the relaxed-SIMD build where the engine accepts it, and hands out
// each module's argument block: the bytes where the TypeScript side writes a kernel's sizes.
import { heap } from '../../tensor/heap.js';
import { unshareMemoryImports } from './unshare-memory.js';

/** What scripts/build-wasm.mjs generates for each module: the same kernels built twice, as base64. */
export interface GeneratedModule {
  readonly simd: string;
  readonly relaxedSimd: string;
}

/** A compiled and instantiated kernel module. Threads (threads.ts) instantiate `module` again per worker. */
export interface KernelModule {
  readonly name: string;
  /** Compiled code; can be posted to workers, which instantiate it against the same memory. */
  readonly module: WebAssembly.Module;
  /** The main thread's instance. */
  readonly instance: WebAssembly.Instance;
  /** The instance's exported functions by name (kernels take i32 pointers and counts). */
  readonly exports: Readonly<Record<string, (...args: number[]) => number | void>>;
  /** Whether the relaxed-SIMD build was chosen. */
  readonly relaxed: boolean;
  /** Byte offset of this module's argument block in heap.memory (see ARGUMENT_BLOCKS). */
  readonly argumentBlock: number;
}

/**
 * [512 KiB, 1 MiB) of heap.memory is left free by the heap and the modules' static data. It is cut
 * here, once: 4 KiB of thread control words (threads.ts), then one block per module. Ops run one at
 * a time on the main thread and a kernel finishes (threads included) before it returns, so a module
 * needs only one argument block, rewritten by every call.
 */
export const ARGUMENT_BLOCKS = {
  /** Thread pool control words: 64 bytes per worker. */
  threads: { offset: 512 * 1024, bytes: 4096 },
  pool: { offset: 516 * 1024, bytes: 60 * 1024 },
  train: { offset: 576 * 1024, bytes: 192 * 1024 },
  /** The kinds module (assembly/kinds/): every kind beyond max, average and Lp. */
  kinds: { offset: 768 * 1024, bytes: 256 * 1024 },
} as const;

export type ModuleName = Exclude<keyof typeof ARGUMENT_BLOCKS, 'threads'>;

const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';
/** The one attempt to set the flag: every module load awaits the same promise, so none validates before it is set. */
let relaxedFlagSet: Promise<void> | null = null;

/** True in Node (where V8 flags can be set and worker_threads exist), false in browsers. */
export const isNode =
  typeof process !== 'undefined' && typeof process.versions === 'object' && process.versions.node !== undefined;

/** Decodes base64 without Node's Buffer, so the same code runs in browsers. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  if (isNode) {
    const buffer = Buffer.from(text, 'base64');
    const bytes = new Uint8Array(buffer.length);
    bytes.set(buffer);
    return bytes;
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/**
 * Node 20 hides relaxed SIMD behind a V8 flag; setting it before compiling works (workers too).
 * Modules load concurrently (each file's top-level await): all of them wait for the same attempt,
 * since a module validated before the flag is set would silently get the plain build.
 */
export function enableRelaxedSimdFlag(): Promise<void> {
  relaxedFlagSet ??= setRelaxedSimdFlag();
  return relaxedFlagSet;
}

async function setRelaxedSimdFlag(): Promise<void> {
  if (!isNode) return;
  try {
    const specifier = 'node:v8';
    const v8 = (await import(/* @vite-ignore */ specifier)) as { setFlagsFromString(flags: string): void };
    v8.setFlagsFromString(RELAXED_FLAG);
  } catch {
    // An engine without the flag keeps the plain-SIMD build.
  }
}

/** Whether this engine validates `generated`'s plain-SIMD build: the condition for the wasm backend. */
export function simdSupported(generated: GeneratedModule): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(decodeBase64(generated.simd));
}

/** The import object every kernel module expects: the heap memory, and abort for AssemblyScript. */
export function kernelImports(memory: WebAssembly.Memory = heap.memory): WebAssembly.Imports {
  return {
    env: {
      memory,
      abort: () => {
        throw new Error('poolkit: a WebAssembly kernel aborted');
      },
    },
  };
}

/** The builds POOLKIT_WASM_SIMD chooses from: 'relaxed' (where the engine has it, the default) or 'plain'. */
export const SIMD_BUILDS = ['relaxed', 'plain'] as const;

let plainWarned = false;

/**
 * Whether POOLKIT_WASM_SIMD asks for the plain-SIMD build: the one engines without relaxed SIMD
 * (Safari, say) run, whose fused-multiply-add-free numbers it lets Node reproduce and test. A value
 * other than SIMD_BUILDS is reported once and ignored.
 */
export function plainSimdRequested(): boolean {
  const value =
    typeof process === 'object' && typeof process.env === 'object' ? process.env.POOLKIT_WASM_SIMD : undefined;
  if (value === undefined || value === '' || value === 'relaxed') return false;
  if (value === 'plain') return true;
  if (!plainWarned) {
    plainWarned = true;
    console.warn(`poolkit: POOLKIT_WASM_SIMD must be one of ${SIMD_BUILDS.join(', ')}, got '${value}'; ignored`);
  }
  return false;
}

/**
 * Compiles and instantiates module `name` against heap.memory: relaxed SIMD when the engine
 * validates it (after setting Node's flag) and POOLKIT_WASM_SIMD does not ask for plain, plain SIMD
 * otherwise. Throws when neither validates.
 */
export async function loadKernelModule(name: ModuleName, generated: GeneratedModule): Promise<KernelModule> {
  await enableRelaxedSimdFlag();
  const relaxedBytes = decodeBase64(generated.relaxedSimd);
  const relaxed = !plainSimdRequested() && WebAssembly.validate(relaxedBytes);
  const bytes = relaxed ? relaxedBytes : decodeBase64(generated.simd);
  if (!relaxed && !WebAssembly.validate(bytes)) {
    throw new Error(`poolkit: this engine does not support WebAssembly SIMD (module '${name}')`);
  }
  // A plain (non-shared) heap, where the engine refused shared memory: the same kernels, one thread.
  const module = await WebAssembly.compile(heap.shared ? bytes : unshareMemoryImports(bytes));
  const instance = await WebAssembly.instantiate(module, kernelImports());
  const exports = instance.exports as unknown as KernelModule['exports'];
  return Object.freeze({ name, module, instance, exports, relaxed, argumentBlock: ARGUMENT_BLOCKS[name].offset });
}

/**
 * An Int32Array and a Float32Array over one module's argument block, for writing a kernel's sizes.
 * Renewed when the heap grows (a non-shared buffer detaches then); cheap to call per kernel.
 */
export function argumentViews(kernelModule: KernelModule): { ints: Int32Array; floats: Float32Array } {
  const buffer = heap.memory.buffer;
  const block = ARGUMENT_BLOCKS[kernelModule.name as ModuleName];
  if (cachedBuffer !== buffer) {
    cachedBuffer = buffer;
    cachedViews.clear();
  }
  let views = cachedViews.get(block.offset);
  if (views === undefined) {
    views = {
      ints: new Int32Array(buffer, block.offset, block.bytes / 4),
      floats: new Float32Array(buffer, block.offset, block.bytes / 4),
    };
    cachedViews.set(block.offset, views);
  }
  return views;
}

let cachedBuffer: ArrayBufferLike | null = null;
const cachedViews = new Map<number, { ints: Int32Array; floats: Float32Array }>();
