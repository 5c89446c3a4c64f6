// Starts the device worker (device-worker.ts) for the bridge: a worker_threads Worker in Node, a
// module Web Worker in a browser (written as `new Worker(new URL(...))`, the form bundlers follow).
import type { WorkerHandle } from './bridge.js';
import { inNode } from './device-channel.js';

/** Starts the device worker with the control words; Node's loads its module as this one's extension says. */
export async function startDeviceWorker(control: SharedArrayBuffer): Promise<WorkerHandle> {
  return inNode() ? startNodeWorker(control) : startBrowserWorker(control);
}

async function startNodeWorker(control: SharedArrayBuffer): Promise<WorkerHandle> {
  const specifier = 'node:worker_threads'; // hidden from bundlers: a page never starts this worker
  const { Worker } = (await import(/* @vite-ignore */ specifier)) as typeof import('node:worker_threads');
  // The worker's module has the extension of this one: .js in the built package; .ts when running
  // the sources under tsx, whose loader a worker does not inherit, so the worker registers it first.
  const underTsx = import.meta.url.endsWith('.ts');
  const moduleUrl = new URL(`./device-worker${underTsx ? '.ts' : '.js'}`, import.meta.url).href;
  const load = `import(${JSON.stringify(moduleUrl)})`;
  const source = underTsx ? `import('tsx/esm/api').then((tsx) => { tsx.register(); return ${load}; });` : `${load};`;
  return new Worker(source, { eval: true, workerData: { control } }) as unknown as WorkerHandle;
}

/** A module Web Worker, adapted to the handle the bridge uses (a Web Worker has no 'exit' and no unref). */
function startBrowserWorker(control: SharedArrayBuffer): WorkerHandle {
  // This exact form lets bundlers (Vite, webpack) find and bundle the worker's module.
  const worker = new Worker(new URL('./device-worker.js', import.meta.url), { type: 'module' });
  worker.postMessage({ control });
  return {
    postMessage: (message) => worker.postMessage(message),
    once: (event: 'message' | 'error' | 'exit', listener: (value: never) => void) => {
      if (event === 'message') worker.addEventListener('message', (e) => listener(e.data as never), { once: true });
      if (event === 'error') {
        worker.addEventListener('error', (e) => listener((e.message || 'the device worker failed to load') as never), {
          once: true,
        });
      }
    },
    unref: () => undefined,
    terminate: async () => {
      worker.terminate();
      return 0;
    },
  } as WorkerHandle;
}
