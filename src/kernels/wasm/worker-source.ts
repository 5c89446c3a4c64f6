// The code of one pool worker, as a string of plain JavaScript: Node runs it with `eval: true`,
// browsers from a Blob URL, so no worker file has to be found at run time (tsx, bundlers, the built
// package alike), and no transpiler helper can leak into it. Protocol and slot layout: threads.ts.

/** The worker's source text. It blocks in Atomics.wait on its slot's REQUEST word between jobs. */
export const workerSource = String.raw`'use strict';
const node = typeof process !== 'undefined' && typeof process.versions === 'object' && !!process.versions.node;
const functions = [];
let memory = null;
let words = null;
let base = 0;
let slot = 0;
let lastRequest = 0;

function load(module) {
  const abort = () => {
    throw new Error('poolkit: a WebAssembly kernel aborted');
  };
  const instance = new WebAssembly.Instance(module, { env: { memory, abort } });
  const names = WebAssembly.Module.exports(module).filter((entry) => entry.kind === 'function');
  if (instance.exports.setThreadSlot) instance.exports.setThreadSlot(slot); // its scratch slot in the module
  functions.push(names.map((entry) => instance.exports[entry.name]));
  Atomics.store(words, base + 7, functions.length);
}

/** Takes chunks of the job from the shared counter (word 0) until none is left, as the main thread does. */
function runChunks(run, argumentBlock, units, chunk) {
  for (let first = Atomics.add(words, 0, 1) * chunk; first < units; first = Atomics.add(words, 0, 1) * chunk) {
    run(argumentBlock, first, Math.min(units, first + chunk));
  }
}

function serve() {
  Atomics.store(words, base + 9, 1);
  for (;;) {
    Atomics.wait(words, base, lastRequest);
    const request = Atomics.load(words, base);
    if (request === lastRequest) continue;
    lastRequest = request;
    const functionIndex = words[base + 3];
    if (functionIndex === -2) return;
    if (functionIndex >= 0) {
      try {
        runChunks(functions[words[base + 2]][functionIndex], words[base + 4], words[base + 5], words[base + 6]);
      } catch (error) {
        Atomics.store(words, base + 8, 1);
      }
    }
    if (functionIndex === -1) Atomics.store(words, base + 9, 0);
    Atomics.store(words, base + 1, request);
    Atomics.notify(words, base + 1);
    if (functionIndex === -1) {
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
  words = new Int32Array(memory.buffer, message.controlOffset, 1024);
  slot = message.slot;
  base = slot * message.slotWords;
  lastRequest = Atomics.load(words, base);
  for (const module of message.modules) load(module);
  setTimeout(serve, 0);
}

if (node) {
  try {
    require('node:v8').setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch (error) {
    // the module was compiled on the main thread; the flag matters only to engines that recheck it
  }
  require('node:worker_threads').parentPort.on('message', onMessage);
} else {
  self.onmessage = (event) => onMessage(event.data);
}
`;
