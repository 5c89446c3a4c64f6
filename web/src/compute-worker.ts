// The page's compute worker: poolkit in a dedicated Web Worker, where the webgpu backend's kernels
// may wait for the GPU (a page's main thread may not). It runs the explorer's pooling and the
// recognizer's model for the page (compute.ts posts the requests) and says what each ran on.
import { getBackend, initWebGpu, setBackend, webGpuStatus } from '../../src/index.js';
import { kindNamed, type RanOn, type WorkerAnswer, type WorkerRequest } from './compute.js';
import { loadModelFromFiles, loadModelFromUrl, type LoadedModel } from './model.js';
import { runPooling } from './pooling-run.js';

const scope = globalThis as unknown as {
  postMessage(message: WorkerAnswer | 'listening'): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerRequest & { id: number }>) => void): void;
};
let model: LoadedModel | null = null;

function ranOn(): RanOn {
  const status = webGpuStatus();
  if (status === null || getBackend() !== 'webgpu') return { backend: getBackend() };
  const { adapter, gpuCalls, fallbackCalls } = status;
  return { backend: 'webgpu', adapter, gpuCalls, fallbackCalls };
}

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.type) {
    case 'start':
      if (request.backend === 'webgpu') await initWebGpu();
      else setBackend(request.backend);
      return ranOn();
    case 'pool':
      return runPooling(kindNamed(request.kind), request.image, request.values);
    case 'load':
      model =
        'url' in request.source
          ? await loadModelFromUrl(request.source.url, request.base)
          : await loadModelFromFiles(request.source.files);
      return model.description;
    case 'predict':
      if (model === null) throw new Error('no model loaded in the worker');
      return model.run(request.image);
  }
}

scope.addEventListener('message', (event) => {
  const { id } = event.data;
  handle(event.data).then(
    (value) => scope.postMessage({ id, ok: true, value, ranOn: ranOn() }),
    (error: unknown) =>
      scope.postMessage({
        id,
        ok: false,
        name: error instanceof Error ? error.name : 'Error',
        message: error instanceof Error ? error.message : String(error),
      }),
  );
});
scope.postMessage('listening'); // the page waits for this before its first request
