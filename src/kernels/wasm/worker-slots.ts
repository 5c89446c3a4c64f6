// One worker's slot in the thread pool's control words: whether it is idle, posting it a job and
// waking it, waiting for its answer (or its thread's exit), and nudging it to load a module.
import { isNode } from './loader.js';
import { Command, controlWords, slotWord, Word } from './thread-control.js';
import { threadModules as modules, type PoolWorker } from './worker-pool.js';

/** How often (ms) a main thread waiting for a worker checks that the worker's thread still runs. */
const EXIT_CHECK_MS = 20;

/** Whether the worker has answered every job posted to it. */
export function isIdle(words: Int32Array, worker: PoolWorker): boolean {
  return (
    Atomics.load(words, slotWord(worker.slot, Word.Done)) === Atomics.load(words, slotWord(worker.slot, Word.Request))
  );
}

/** Asks an idle worker that lacks a module to return to its event loop, where the module message waits. */
export function nudge(worker: PoolWorker): void {
  const words = controlWords();
  const serving = Atomics.load(words, slotWord(worker.slot, Word.Serving)) === 1;
  const loaded = Atomics.load(words, slotWord(worker.slot, Word.Loaded));
  if (worker.alive && isIdle(words, worker) && serving && loaded < modules.length) {
    post(worker, [0, Command.Yield, 0, 0, 0]);
  }
}

/** Writes a job into a worker's slot and wakes it; returns the request number to wait for. */
export function post(worker: PoolWorker, job: readonly [number, number, number, number, number]): number {
  const words = controlWords();
  const fields = [Word.Module, Word.Function, Word.Arguments, Word.Units, Word.Chunk];
  fields.forEach((word, index) => (words[slotWord(worker.slot, word)] = job[index]!));
  const request = Atomics.add(words, slotWord(worker.slot, Word.Request), 1) + 1;
  Atomics.notify(words, slotWord(worker.slot, Word.Request));
  return request;
}

/**
 * Waits for a worker's job, or for its thread to exit. Node's main thread may block in Atomics.wait
 * (waking now and then to see whether the thread still runs); a browser's may not, so it spins there
 * (jobs are short, and the worker never waits on the main thread, so neither deadlocks).
 */
export function waitDone(worker: PoolWorker, request: number): 'done' | 'threw' | 'exited' {
  const words = controlWords();
  const doneIndex = slotWord(worker.slot, Word.Done);
  for (let done = Atomics.load(words, doneIndex); done !== request; done = Atomics.load(words, doneIndex)) {
    if (Atomics.load(words, slotWord(worker.slot, Word.Owner)) !== worker.id) return 'exited';
    if (isNode) Atomics.wait(words, doneIndex, done, EXIT_CHECK_MS);
  }
  return Atomics.exchange(words, slotWord(worker.slot, Word.Failed), 0) === 0 ? 'done' : 'threw';
}
