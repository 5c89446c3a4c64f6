// The code of one pool worker, as a string of plain JavaScript: Node runs it with `eval: true`,
// browsers from a Blob URL, so no worker file has to be found at run time (tsx, bundlers, the built
// package alike), and no transpiler helper can leak into it. Protocol: threads.ts; slots: thread-control.ts.
import { Command, Fault, FAULT_DELAY_MS, NEXT_CHUNK, Word } from './thread-control.js';

/** The worker's source text. It blocks in Atomics.wait on its slot's Request word between jobs. */
export const workerSource = String.raw`'use strict';
const node = typeof process !== 'undefined' && typeof process.versions === 'object' && !!process.versions.node;
const functions = [];
let memory = null;
let words = null;
let base = 0;
let slot = 0;
let id = 0;
let lastRequest = 0;

function load(module) {
  const abort = () => {
    throw new Error('poolkit: a WebAssembly kernel aborted');
  };
  const instance = new WebAssembly.Instance(module, { env: { memory, abort } });
  const names = WebAssembly.Module.exports(module).filter((entry) => entry.kind === 'function');
  if (instance.exports.setThreadSlot) instance.exports.setThreadSlot(slot); // its scratch slot in the module
  functions.push(names.map((entry) => instance.exports[entry.name]));
  Atomics.store(words, base + ${Word.Loaded}, functions.length);
}

/** Takes chunks of the job from the shared counter until none is left, as the main thread does. */
function runChunks(run, argumentBlock, units, chunk) {
  for (let first = takeChunk(chunk); first < units; first = takeChunk(chunk)) {
    run(argumentBlock, first, Math.min(units, first + chunk));
  }
}

function takeChunk(chunk) {
  return Atomics.add(words, ${NEXT_CHUNK}, 1) * chunk;
}

/** As the thread ends (process.exit, an uncaught error): gives up the slot, so a waiting main thread sees it. */
function markExited() {
  if (words !== null && Atomics.compareExchange(words, base + ${Word.Owner}, id, 0) === id) {
    Atomics.notify(words, base + ${Word.Done});
  }
}

/** For tests only (injectThreadFault in threads.ts): sleeps, or takes a chunk it never does and throws or exits. */
function actOutFault() {
  const fault = Atomics.exchange(words, base + ${Word.Fault}, ${Fault.None});
  if (fault === ${Fault.None}) return false;
  if (fault === ${Fault.Delay}) {
    Atomics.wait(words, base + ${Word.Fault}, ${Fault.None}, ${FAULT_DELAY_MS}); // nobody notifies: a sleep
    return false;
  }
  takeChunk(1);
  if (fault === ${Fault.Throw}) throw new Error('poolkit: test fault');
  if (node) process.exit(1);
  markExited();
  close();
  return true;
}

/** Runs one job; returns false when the worker stops serving. */
function runJob(functionIndex) {
  try {
    if (actOutFault()) return false;
    runChunks(functions[words[base + ${Word.Module}]][functionIndex], words[base + ${Word.Arguments}],
      words[base + ${Word.Units}], words[base + ${Word.Chunk}]);
  } catch (error) {
    Atomics.store(words, base + ${Word.Failed}, 1);
  }
  return true;
}

function serve() {
  Atomics.store(words, base + ${Word.Serving}, 1);
  for (;;) {
    Atomics.wait(words, base + ${Word.Request}, lastRequest);
    const request = Atomics.load(words, base + ${Word.Request});
    if (request === lastRequest) continue;
    lastRequest = request;
    const functionIndex = words[base + ${Word.Function}];
    if (functionIndex === ${Command.Stop}) return;
    if (functionIndex >= 0 && !runJob(functionIndex)) return;
    if (functionIndex === ${Command.Yield}) Atomics.store(words, base + ${Word.Serving}, 0);
    Atomics.store(words, base + ${Word.Done}, request);
    Atomics.notify(words, base + ${Word.Done});
    if (functionIndex === ${Command.Yield}) {
      setTimeout(serve, 0); // let queued 'module' messages in, then serve again
      return;
    }
  }
}

function onMessage(message) {
  if (message.type === 'module') {
    load(message.module);
    return;
  }
  memory = message.memory;
  words = new Int32Array(memory.buffer, message.controlOffset, message.controlWords);
  slot = message.slot;
  id = message.id;
  base = slot * message.slotWords;
  lastRequest = Atomics.load(words, base + ${Word.Request});
  for (const module of message.modules) load(module);
  setTimeout(serve, 0);
}

if (node) {
  // import(), not require(): the source then runs as CommonJS or as a module, whichever the
  // parent's flags (--input-type=module, say) make it, and the worker inherits them untouched.
  process.on('exit', markExited);
  Promise.all([import('node:v8'), import('node:worker_threads')]).then(([v8, threads]) => {
    try {
      v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch (error) {
      // the module was compiled on the main thread; the flag matters only to engines that recheck it
    }
    threads.parentPort.on('message', onMessage); // messages sent before this wait in the port
  });
} else {
  self.onmessage = (event) => onMessage(event.data);
}
`;
