// The worker pool of the WebAssembly kernels: workers share heap.memory, instantiate the same kernel
// modules, and take chunks of a kernel's work units alongside the main thread, which then waits for them.
//
// Kernel convention: an export run in parallel takes (argumentBlock, firstUnit, endUnit) as i32 and
// handles units [firstUnit, endUnit); units must be independent (no two write the same bytes), and
// a unit's result must not depend on which thread runs it or on which units share its range.
//
// Work is handed out dynamically: a job's units are cut into chunks, and every thread (the main one
// included) takes the next chunk from a shared counter until none is left. The two cores of a shared
// machine rarely run at the same speed (another tenant, a migrated vCPU): with fixed halves the
// faster thread idled while the slower finished; now it takes more chunks.
//
// A job ends only when every thread given it has stopped: a thread that throws, or a worker whose
// thread exits, fails the job (the other threads are still waited for, so none runs into the next
// job), and a failed worker is replaced in the background (threadsReady() waits for that).
import { fail } from '../../errors.js';
import { heap } from '../../tensor/heap.js';
import { isNode, type KernelModule } from './loader.js';
import { controlWords, Fault, MAX_THREADS, NEXT_CHUNK, slotWord, Word } from './thread-control.js';
import {
  configure,
  liveWorkers,
  retireWorker,
  startWorkers,
  threadModules as modules,
  workers,
  type PoolWorker,
} from './worker-pool.js';
import { isIdle, nudge, post, waitDone } from './worker-slots.js';

export { MAX_THREADS } from './thread-control.js';

/** Chunks per thread of a job: enough to even out unequal cores, few enough that a call's set-up stays small. */
const CHUNKS_PER_THREAD = 4;

/** Below this many bytes moved, fork/join (~20 µs) costs more than a second thread saves. */
export const DEFAULT_PARALLEL_BYTES = 1 << 20;
let parallelBytes = DEFAULT_PARALLEL_BYTES;

/** Changes the smallest work (bytes read plus written) that is split among threads; tests set 0. */
export function setParallelThreshold(bytes: number = DEFAULT_PARALLEL_BYTES): void {
  parallelBytes = bytes;
}

let threadCount = 1;
let splitCalls = 0;
let mainThreadFault = false;

/** The machine's logical cores (at most MAX_THREADS): os.availableParallelism() in Node, navigator.hardwareConcurrency in browsers. */
export async function defaultThreadCount(): Promise<number> {
  let cores = typeof navigator === 'object' ? (navigator.hardwareConcurrency ?? 1) : 1;
  if (isNode) {
    const specifier = 'node:os';
    const os = (await import(/* @vite-ignore */ specifier)) as {
      availableParallelism?: () => number;
      cpus(): unknown[];
    };
    cores = os.availableParallelism?.() ?? os.cpus().length;
  }
  return Math.min(Math.max(cores, 1), MAX_THREADS);
}

/** Whether workers can share the heap: a shared memory, and in browsers cross-origin isolation. */
export function threadsAvailable(): boolean {
  if (!heap.shared) return false;
  if (isNode) return true;
  return typeof Worker === 'function' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

/** Whether `count` is a thread count setThreadCount takes: an integer from 1 to MAX_THREADS. */
export function isThreadCount(count: unknown): count is number {
  return typeof count === 'number' && Number.isInteger(count) && count >= 1 && count <= MAX_THREADS;
}

/**
 * Sets how many threads run a parallel kernel, the main thread included (1 = no workers), at most
 * MAX_THREADS (64: the control block's slots). Calls take effect one after another, in call order.
 * Workers start in the background; until one has loaded the modules, the main thread does its share.
 */
export async function setThreadCount(count: number): Promise<void> {
  if (!isThreadCount(count)) {
    fail('setThreadCount', 'count', `must be an integer from 1 to ${MAX_THREADS} (the thread pool's slots)`, count);
  }
  await configure(async () => {
    threadCount = threadsAvailable() ? count : 1;
    await startWorkers(threadCount - 1);
  });
}

/** Threads a parallel kernel may use now, the main thread included. */
export function getThreadCount(): number {
  return threadCount;
}

/**
 * How many units a job with a free choice should make (a depth split, a sum into partials): enough
 * chunks for dynamic balance across the threads, one when there is one thread.
 */
export function balancedUnitCount(): number {
  return threadCount > 1 ? threadCount * CHUNKS_PER_THREAD : 1;
}

/** Makes `kernelModule` runnable on workers (present and future); call once per module, after loading it. */
export function registerThreadModule(kernelModule: KernelModule): void {
  if (modules.includes(kernelModule)) return;
  modules.push(kernelModule);
  for (const worker of liveWorkers()) worker.handle.postMessage({ type: 'module', module: kernelModule.module });
}

/**
 * Resolves when pending thread count changes and worker replacements are done and every worker has
 * instantiated every registered module (for tests and benchmarks).
 */
export async function threadsReady(timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await configure(() => undefined);
  while (readyWorkers(modules.length - 1).length < workers.length) {
    for (const worker of workers) nudge(worker);
    if (Date.now() > deadline) throw new Error('poolkit: worker threads did not start in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await configure(() => undefined);
  }
}

/**
 * Runs export `exportName` of `kernelModule` over work units [0, units): in chunks of contiguous units,
 * taken in turn by the main thread and the ready workers. Stays on the main thread, as one range, when
 * one thread is set, when `bytesMoved` (what the kernel reads plus writes) is below the threshold
 * (1 MiB), or with one unit. Returns (or throws) only once every thread given the job has stopped.
 */
export function parallelFor(
  kernelModule: KernelModule,
  exportName: string,
  units: number,
  bytesMoved: number,
  argumentBlock: number = kernelModule.argumentBlock,
): void {
  const run = kernelModule.exports[exportName];
  if (run === undefined) throw new Error(`poolkit: module '${kernelModule.name}' has no export '${exportName}'`);
  const moduleIndex = modules.indexOf(kernelModule);
  const helpers =
    threadCount > 1 && units > 1 && bytesMoved >= parallelBytes && moduleIndex >= 0
      ? readyWorkers(moduleIndex).slice(0, units - 1)
      : [];
  if (helpers.length === 0) {
    run(argumentBlock, 0, units);
    return;
  }
  splitCalls++;
  const chunk = Math.ceil(units / ((helpers.length + 1) * CHUNKS_PER_THREAD));
  const words = controlWords();
  Atomics.store(words, NEXT_CHUNK, 0);
  const job = [moduleIndex, exportIndex(kernelModule, exportName), argumentBlock, units, chunk] as const;
  const requests = helpers.map((worker) => post(worker, job));
  try {
    runMainShare(run, argumentBlock, units, chunk);
  } catch (error) {
    Atomics.store(words, NEXT_CHUNK, Math.ceil(units / chunk)); // the helpers take no further chunk
    joinHelpers(helpers, requests);
    throw error;
  }
  const failures = joinHelpers(helpers, requests);
  if (failures.length > 0) throw jobFailure(kernelModule, exportName, failures);
}

function jobFailure(kernelModule: KernelModule, exportName: string, failures: readonly string[]): Error {
  return new Error(
    `poolkit: kernel '${exportName}' (module '${kernelModule.name}') failed: ${failures.join('; ')}, so part of ` +
      'its output was not computed. The thread pool replaces the failed workers; later calls run normally.',
  );
}

/** The main thread's share of a job: chunks from the shared counter until none is left. */
function runMainShare(run: (...args: number[]) => unknown, argumentBlock: number, units: number, chunk: number): void {
  const words = controlWords();
  if (mainThreadFault) actOutMainThreadFault(words, chunk);
  for (let first = takeChunk(words, chunk); first < units; first = takeChunk(words, chunk)) {
    run(argumentBlock, first, Math.min(units, first + chunk));
  }
}

/** The first unit of the next chunk nobody has taken (units or more when all are taken). */
function takeChunk(words: Int32Array, chunk: number): number {
  return Atomics.add(words, NEXT_CHUNK, 1) * chunk;
}

/** Waits for every helper of a job; retires those that failed and describes each failure. */
function joinHelpers(helpers: readonly PoolWorker[], requests: readonly number[]): string[] {
  const failures: string[] = [];
  helpers.forEach((worker, index) => {
    const outcome = waitDone(worker, requests[index]!);
    if (outcome === 'done') return;
    failures.push(`worker thread ${worker.slot} ${outcome === 'threw' ? 'threw an error' : 'exited'}`);
    retireWorker(worker);
  });
  return failures;
}

/** How many parallelFor calls were split among threads so far (for tests and benchmarks). */
export function splitCallCount(): number {
  return splitCalls;
}

function readyWorkers(moduleIndex: number): PoolWorker[] {
  const words = controlWords();
  return liveWorkers().filter((worker) => {
    if (Atomics.load(words, slotWord(worker.slot, Word.Owner)) !== worker.id) {
      retireWorker(worker); // its thread exited between jobs, before its 'exit' event could tell us
      return false;
    }
    const loaded = Atomics.load(words, slotWord(worker.slot, Word.Loaded));
    if (loaded <= moduleIndex) nudge(worker);
    return isIdle(words, worker) && loaded > moduleIndex && worker.slot < threadCount;
  });
}

function exportIndex(kernelModule: KernelModule, exportName: string): number {
  let names = exportNames.get(kernelModule);
  if (names === undefined) {
    names = WebAssembly.Module.exports(kernelModule.module)
      .filter((entry) => entry.kind === 'function')
      .map((entry) => entry.name);
    exportNames.set(kernelModule, names);
  }
  return names.indexOf(exportName);
}
const exportNames = new Map<KernelModule, string[]>();

/**
 * For tests only: the next split job fails on one thread. Slot 0, the main thread, throws after
 * taking a chunk; worker n (slot n) takes a chunk, then throws or ends its thread ('exit':
 * process.exit in Node, close() in browsers), or ('delay') sleeps 200 ms before taking part.
 */
export function injectThreadFault(slot: number, fault: 'throw' | 'exit' | 'delay'): void {
  if (slot === 0 && fault === 'throw') {
    mainThreadFault = true;
    return;
  }
  const worker = workers.find((candidate) => candidate.slot === slot && candidate.alive);
  if (worker === undefined) fail('injectThreadFault', 'slot', 'must be 0 (throw only) or a live worker', slot);
  const code = { throw: Fault.Throw, exit: Fault.Exit, delay: Fault.Delay }[fault];
  Atomics.store(controlWords(), slotWord(slot, Word.Fault), code);
}

/** For tests only (injectThreadFault): takes a chunk it never does, then throws. */
function actOutMainThreadFault(words: Int32Array, chunk: number): never {
  mainThreadFault = false;
  takeChunk(words, chunk);
  throw new Error('poolkit: test fault on the main thread');
}

/** The pool as it is now (for tests): threads set, live workers, and those idle between jobs. */
export function threadPoolState(): { threads: number; liveWorkers: number; idleWorkers: number } {
  const words = controlWords();
  const live = liveWorkers();
  return {
    threads: threadCount,
    liveWorkers: live.length,
    idleWorkers: live.filter((worker) => isIdle(words, worker)).length,
  };
}
