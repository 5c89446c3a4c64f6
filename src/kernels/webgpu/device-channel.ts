// The device worker's side of its channel (device-worker.ts), in Node and in a browser: the port to
// the thread that started it and the control words that thread waits on. device-start.ts starts it.

/** The device worker's side of the channel: Node's parentPort, or a Web Worker's global scope. */
export interface DevicePort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: never) => void): void;
  close(): void;
}

/** Whether this is Node (worker_threads), rather than a browser. */
export function inNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/** In the device worker: its port and the control words the blocked thread waits on. */
export async function deviceChannel(): Promise<{ port: DevicePort; control: Int32Array }> {
  if (inNode()) {
    const specifier = 'node:worker_threads'; // hidden from bundlers: a page never loads it
    const { parentPort, workerData } = (await import(
      /* @vite-ignore */ specifier
    )) as typeof import('node:worker_threads');
    const parent = parentPort!;
    const port: DevicePort = {
      postMessage: (message) => parent.postMessage(message),
      on: (_event, listener) => parent.on('message', (message: unknown) => listener(message as never)),
      close: () => parent.close(),
    };
    return { port, control: new Int32Array((workerData as { control: SharedArrayBuffer }).control) };
  }
  // A Web Worker: its first message carries the control words (a Web Worker has no workerData).
  const scope = globalThis as unknown as {
    postMessage(message: unknown): void;
    addEventListener(type: 'message', listener: (event: MessageEvent) => void, options?: { once: boolean }): void;
    close(): void;
  };
  const control = await new Promise<SharedArrayBuffer>((resolve) => {
    scope.addEventListener('message', (event) => resolve((event.data as { control: SharedArrayBuffer }).control), {
      once: true,
    });
  });
  const port: DevicePort = {
    postMessage: (message) => scope.postMessage(message),
    on: (_event, listener) => scope.addEventListener('message', (event) => listener(event.data as never)),
    close: () => scope.close(),
  };
  return { port, control: new Int32Array(control) };
}
