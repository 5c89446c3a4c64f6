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
import { heap } from '../../tensor/heap.js';
import { ARGUMENT_BLOCKS, isNode, type KernelModule } from './loader.js';
import { workerSource } from './worker-source.js';

/** Int32 words per worker slot in the control block: 64 bytes, one cache line, so slots never share one. */
const SLOT_WORDS = 16;
const REQUEST = 0; // bumped by the main thread to hand out a job
const DONE = 1; // set to the request number by the worker when the job is done
const MODULE = 2;
const FUNCTION = 3; // -1: return to the event loop (to receive newly registered modules)
const ARGUMENTS = 4;
const UNITS = 5; // the job's units
const CHUNK = 6; // units per chunk
const LOADED = 7; // how many registered modules the worker has instantiated
const FAILED = 8; // 1 when the last job threw
const SERVING = 9; // 1 while the worker blocks on its REQUEST word (not in its event loop)
const MAX_WORKERS = ARGUMENT_BLOCKS.threads.bytes / 64 - 1;

/** The word (in slot 0, which no worker owns) from which every thread of a job takes its next chunk. */
const NEXT_CHUNK = 0;
/** Chunks per thread of a job: enough to even out unequal cores, few enough that a call's set-up stays small. */
const CHUNKS_PER_THREAD = 4;

/** Below this many bytes moved, fork/join (~20 µs) costs more than a second thread saves. */
export const DEFAULT_PARALLEL_BYTES = 1 << 20;
let parallelBytes = DEFAULT_PARALLEL_BYTES;

/** Changes the smallest work (bytes read plus written) that is split among threads; tests set 0. */
export function setParallelThreshold(bytes: number = DEFAULT_PARALLEL_BYTES): void {
  parallelBytes = bytes;
}

interface PoolWorker {
  readonly slot: number;
  readonly handle: { postMessage(message: unknown): void; terminate(): unknown };
  alive: boolean;
}

const modules: KernelModule[] = [];
const workers: PoolWorker[] = [];
let threadCount = 1;
let splitCalls = 0;
let control: Int32Array | null = null;

/** The machine's logical cores: os.availableParallelism() in Node, navigator.hardwareConcurrency in browsers. */
export async function defaultThreadCount(): Promise<number> {
  if (isNode) {
    const specifier = 'node:os';
    const os = (await import(/* @vite-ignore */ specifier)) as {
      availableParallelism?: () => number;
      cpus(): unknown[];
    };
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  return typeof navigator === 'object' ? (navigator.hardwareConcurrency ?? 1) : 1;
}

/** Whether workers can share the heap: a shared memory, and in browsers cross-origin isolation. */
export function threadsAvailable(): boolean {
  if (!heap.shared) return false;
  if (isNode) return true;
  return typeof Worker === 'function' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

/**
 * Sets how many threads run a parallel kernel, the main thread included (1 = no workers). Workers
 * start in the background; until one has loaded the modules, the main thread does its share.
 */
export async function setThreadCount(count: number): Promise<void> {
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`setThreadCount: count must be a positive integer, got ${count}`);
  threadCount = threadsAvailable() ? Math.min(count, MAX_WORKERS + 1) : 1;
  while (workers.length > threadCount - 1) stopWorker(workers.pop()!);
  while (workers.length < threadCount - 1) workers.push(await startWorker(workers.length));
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
  for (const worker of workers) worker.handle.postMessage({ type: 'module', module: kernelModule.module });
}

/** Resolves when every worker has instantiated every registered module (for tests and benchmarks). */
export async function threadsReady(timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const alive = (): number => workers.filter((worker) => worker.alive).length;
  while (readyWorkers(modules.length - 1).length < alive()) {
    for (const worker of workers) nudge(worker);
    if (Date.now() > deadline) throw new Error('poolkit: worker threads did not start in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Runs export `exportName` of `kernelModule` over work units [0, units): in chunks of contiguous units,
 * taken in turn by the main thread and the ready workers. Stays on the main thread, as one range, when
 * one thread is set, when `bytesMoved` (what the kernel reads plus writes) is below the threshold
 * (1 MiB), or with one unit.
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
  const functionIndex = exportIndex(kernelModule, exportName);
  const chunk = Math.ceil(units / ((helpers.length + 1) * CHUNKS_PER_THREAD));
  const words = controlWords();
  Atomics.store(words, NEXT_CHUNK, 0);
  const requests = helpers.map((worker) => post(worker, [moduleIndex, functionIndex, argumentBlock, units, chunk]));
  for (let first = takeChunk(words, chunk); first < units; first = takeChunk(words, chunk)) {
    run(argumentBlock, first, Math.min(units, first + chunk));
  }
  helpers.forEach((worker, index) => waitDone(worker, requests[index]!));
}

/** The first unit of the next chunk nobody has taken (units or more when all are taken). */
function takeChunk(words: Int32Array, chunk: number): number {
  return Atomics.add(words, NEXT_CHUNK, 1) * chunk;
}

/** How many parallelFor calls were split among threads so far (for tests and benchmarks). */
export function splitCallCount(): number {
  return splitCalls;
}

function readyWorkers(moduleIndex: number): PoolWorker[] {
  const words = controlWords();
  return workers.filter((worker) => {
    const base = worker.slot * SLOT_WORDS;
    const idle = Atomics.load(words, base + DONE) === Atomics.load(words, base + REQUEST);
    if (worker.alive && idle && Atomics.load(words, base + LOADED) <= moduleIndex) nudge(worker);
    return worker.alive && idle && Atomics.load(words, base + LOADED) > moduleIndex;
  });
}

/** Asks an idle worker that lacks a module to return to its event loop, where the module message waits. */
function nudge(worker: PoolWorker): void {
  const words = controlWords();
  const base = worker.slot * SLOT_WORDS;
  const idle = Atomics.load(words, base + DONE) === Atomics.load(words, base + REQUEST);
  const serving = Atomics.load(words, base + SERVING) === 1;
  if (worker.alive && idle && serving && Atomics.load(words, base + LOADED) < modules.length) {
    post(worker, [0, -1, 0, 0, 0]);
  }
}

/** Writes a job into a worker's slot and wakes it; returns the request number to wait for. */
function post(worker: PoolWorker, job: [number, number, number, number, number]): number {
  const words = controlWords();
  const base = worker.slot * SLOT_WORDS;
  words[base + MODULE] = job[0];
  words[base + FUNCTION] = job[1];
  words[base + ARGUMENTS] = job[2];
  words[base + UNITS] = job[3];
  words[base + CHUNK] = job[4];
  const request = Atomics.add(words, base + REQUEST, 1) + 1;
  Atomics.notify(words, base + REQUEST);
  return request;
}

/**
 * Waits for a worker's job. Node's main thread may block in Atomics.wait; a browser's may not, so it
 * spins there (jobs are short, and the worker never waits on the main thread, so neither deadlocks).
 */
function waitDone(worker: PoolWorker, request: number): void {
  const words = controlWords();
  const index = worker.slot * SLOT_WORDS + DONE;
  for (let done = Atomics.load(words, index); done !== request; done = Atomics.load(words, index)) {
    if (isNode) Atomics.wait(words, index, done, 1000);
  }
  if (Atomics.load(words, worker.slot * SLOT_WORDS + FAILED) !== 0) {
    words[worker.slot * SLOT_WORDS + FAILED] = 0;
    throw new Error('poolkit: a WebAssembly kernel failed on a worker thread');
  }
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

function controlWords(): Int32Array {
  const buffer = heap.memory.buffer;
  if (control === null || control.buffer !== buffer) {
    control = new Int32Array(buffer, ARGUMENT_BLOCKS.threads.offset, ARGUMENT_BLOCKS.threads.bytes / 4);
  }
  return control;
}

async function startWorker(index: number): Promise<PoolWorker> {
  const slot = index + 1;
  const words = controlWords();
  words.fill(0, slot * SLOT_WORDS, (slot + 1) * SLOT_WORDS);
  const init = {
    type: 'init',
    memory: heap.memory,
    slot, // also the worker's scratch slot in the kernel modules (setThreadSlot)
    controlOffset: ARGUMENT_BLOCKS.threads.offset,
    slotWords: SLOT_WORDS,
    modules: modules.map((kernelModule) => kernelModule.module),
  };
  const handle = isNode ? await startNodeWorker() : startBrowserWorker();
  const worker: PoolWorker = { slot, handle, alive: true };
  const onError = (): void => {
    worker.alive = false; // its share goes back to the main thread
  };
  if ('on' in handle) (handle as { on(event: string, listener: () => void): void }).on('error', onError);
  else (handle as Worker).addEventListener('error', onError);
  handle.postMessage(init);
  return worker;
}

async function startNodeWorker(): Promise<PoolWorker['handle']> {
  const specifier = 'node:worker_threads';
  const threads = (await import(/* @vite-ignore */ specifier)) as typeof import('node:worker_threads');
  const worker = new threads.Worker(workerSource, { eval: true });
  worker.unref(); // idle workers must not keep the process alive
  return worker;
}

function startBrowserWorker(): PoolWorker['handle'] {
  const url = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
  return new Worker(url);
}

function stopWorker(worker: PoolWorker): void {
  worker.alive = false;
  const words = controlWords();
  const base = worker.slot * SLOT_WORDS;
  words[base + FUNCTION] = -2;
  Atomics.add(words, base + REQUEST, 1);
  Atomics.notify(words, base + REQUEST);
  void worker.handle.terminate();
}
