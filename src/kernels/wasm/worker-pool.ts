// The pool's workers: starting, stopping and replacing them. Every change runs as one step of a
// queue (configure), so overlapping setThreadCount calls and background replacements never race:
// worker n always holds slot n of the control block, and a slot is reused only once its previous
// thread has stopped.
import { heap } from '../../tensor/heap.js';
import { ARGUMENT_BLOCKS, isNode, type KernelModule } from './loader.js';
import { Command, controlWords, SLOT_WORDS, slotWord, Word } from './thread-control.js';
import { workerSource } from './worker-source.js';

export interface PoolWorker {
  /** Its slot in the control block, and its scratch slot in the kernel modules (setThreadSlot). */
  readonly slot: number;
  /** Unique per started worker: the slot's Owner word holds it while the worker's thread runs. */
  readonly id: number;
  readonly handle: { postMessage(message: unknown): void; terminate(): unknown };
  /** False once it is stopped, failed a job, or its thread exited; a step of the queue replaces it. */
  alive: boolean;
}

/** The workers; workers[n - 1] holds slot n. */
export const workers: PoolWorker[] = [];
/** The kernel modules every worker instantiates (registerThreadModule in threads.ts adds them). */
export const threadModules: KernelModule[] = [];
/** Per slot, when the thread last stopped there has ended: a new worker waits for it. */
const slotReleased = new Map<number, Promise<unknown>>();
let nextWorkerId = 1;
let queue: Promise<void> = Promise.resolve();

/** Runs `step` after every step queued before it; a failed step rejects its own promise only. */
export function configure(step: () => Promise<void> | void): Promise<void> {
  const result = queue.then(step);
  queue = result.catch(() => undefined);
  return result;
}

export function liveWorkers(): PoolWorker[] {
  return workers.filter((worker) => worker.alive);
}

/** Stops or starts workers until `count` run, replacing failed ones in their slots; a queue step. */
export async function startWorkers(count: number): Promise<void> {
  while (workers.length > count) stopWorker(workers.pop()!);
  for (let index = 0; index < workers.length; index++) {
    const worker = workers[index]!;
    if (!worker.alive) workers[index] = await startWorker(worker.slot);
  }
  while (workers.length < count) workers.push(await startWorker(workers.length + 1));
}

/** Takes a failed worker out of service now and queues its replacement. */
export function retireWorker(worker: PoolWorker): void {
  if (!worker.alive) return;
  stopWorker(worker);
  void configure(() => startWorkers(workers.length));
}

function stopWorker(worker: PoolWorker): void {
  worker.alive = false;
  const words = controlWords();
  words[slotWord(worker.slot, Word.Function)] = Command.Stop;
  Atomics.add(words, slotWord(worker.slot, Word.Request), 1);
  Atomics.notify(words, slotWord(worker.slot, Word.Request));
  slotReleased.set(
    worker.slot,
    Promise.resolve(worker.handle.terminate()).catch(() => undefined),
  );
}

/** Starts a worker in `slot` once the thread that last held the slot has stopped. */
async function startWorker(slot: number): Promise<PoolWorker> {
  await slotReleased.get(slot);
  const handle = isNode ? await startNodeWorker() : startBrowserWorker();
  const worker: PoolWorker = { slot, id: nextWorkerId++, handle, alive: true };
  const words = controlWords();
  words.fill(0, slotWord(slot, 0), slotWord(slot + 1, 0));
  words[slotWord(slot, Word.Owner)] = worker.id;
  const onExit = (): void => retireWorker(worker); // between jobs: its share goes back to the main thread
  if ('on' in handle) {
    const emitter = handle as unknown as { on(event: string, listener: () => void): void };
    emitter.on('error', onExit);
    emitter.on('exit', onExit);
  } else (handle as Worker).addEventListener('error', onExit);
  handle.postMessage({
    type: 'init',
    memory: heap.memory,
    slot,
    id: worker.id,
    controlOffset: ARGUMENT_BLOCKS.threads.offset,
    controlWords: ARGUMENT_BLOCKS.threads.bytes / 4,
    slotWords: SLOT_WORDS,
    modules: threadModules.map((kernelModule) => kernelModule.module), // read now: one may have come during the await
  });
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
