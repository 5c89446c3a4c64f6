// Where the page's pooling and model run: on the page's own thread (wasm or reference, answers at
// once), or in a dedicated Web Worker (compute-worker.ts) that runs poolkit on WebGPU, since the
// webgpu kernels wait for the GPU and only a worker may wait. Both answer through one interface.
import { explorableKinds, type ExplorerKind, type OptionValues } from './pool-kinds.js';
import { loadModelFromFiles, loadModelFromUrl, type LoadedModel, type ModelRun } from './model.js';
import { runPooling, type Image, type PoolingResult } from './pooling-run.js';

/** A value now (the page's thread) or later (the worker). */
export type Maybe<Value> = Value | Promise<Value>;

/** Where a model comes from: the page's URL, or files a person picked. */
export type ModelSource = { readonly url: string } | { readonly files: readonly File[] };

/** What the last answer ran on: the backend, and for webgpu the kernel calls on the GPU and not. */
export interface RanOn {
  readonly backend: string;
  readonly adapter?: string;
  readonly gpuCalls?: Readonly<Record<string, number>>;
  readonly fallbackCalls?: Readonly<Record<string, number>>;
}

export interface Compute {
  /** The backend this runs on: 'wasm', 'reference' or 'webgpu'. */
  readonly backend: string;
  pool(kind: ExplorerKind, image: Image, values: OptionValues): Maybe<PoolingResult>;
  loadModel(source: ModelSource): Promise<LoadedModel>;
  /** Called after every answer with what it ran on. */
  onAnswer: (ranOn: RanOn) => void;
}

/** The page's own thread, on the backend the library made active (wasm, else reference). */
export class LocalCompute implements Compute {
  onAnswer: (ranOn: RanOn) => void = () => undefined;

  constructor(readonly backend: string) {}

  pool(kind: ExplorerKind, image: Image, values: OptionValues): PoolingResult {
    return runPooling(kind, image, values);
  }

  loadModel(source: ModelSource): Promise<LoadedModel> {
    return 'url' in source ? loadModelFromUrl(source.url) : loadModelFromFiles(source.files);
  }
}

/** A request to the worker and its answer (compute-worker.ts answers). */
export type WorkerRequest =
  | { readonly type: 'start'; readonly backend: string }
  | { readonly type: 'pool'; readonly kind: string; readonly image: Image; readonly values: OptionValues }
  | { readonly type: 'load'; readonly source: ModelSource; readonly base: string }
  | { readonly type: 'predict'; readonly image: Float32Array };
export type WorkerAnswer =
  | { readonly id: number; readonly ok: true; readonly value: unknown; readonly ranOn: RanOn }
  | { readonly id: number; readonly ok: false; readonly name: string; readonly message: string };

/** An error the worker threw, with its name (PoolkitArgumentError) and message as they were. */
export class WorkerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** poolkit in a dedicated Web Worker, on the backend it was started with (webgpu). */
export class WorkerCompute implements Compute {
  onAnswer: (ranOn: RanOn) => void = () => undefined;
  private next = 0;
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  private constructor(
    private readonly worker: Worker,
    readonly backend: string,
  ) {
    worker.addEventListener('message', (event: MessageEvent<WorkerAnswer | 'listening'>) => this.answer(event.data));
    // A worker that fails leaves no request waiting forever: each rejects with the reason.
    worker.addEventListener('error', (event) => {
      for (const waiter of this.waiting.values()) waiter.reject(new Error(event.message || 'the worker failed'));
      this.waiting.clear();
    });
  }

  /** Starts the worker and its backend; rejects with the library's reason where it cannot start. */
  static async start(backend: string): Promise<{ compute: WorkerCompute; adapter: string }> {
    const worker = new Worker(new URL('./compute-worker.ts', import.meta.url), { type: 'module' });
    const compute = new WorkerCompute(worker, backend);
    const failed = new Promise<never>((_, reject) =>
      worker.addEventListener('error', (event) => reject(new Error(event.message || 'the worker failed to load'))),
    );
    failed.catch(() => undefined); // after the start, the constructor's listener answers failures
    // A message that arrives while the worker's modules still load (the library's top-level await)
    // finds no listener and is lost: the worker says when it listens.
    const loaded = new Promise((resolve) => worker.addEventListener('message', resolve, { once: true }));
    try {
      await Promise.race([loaded, failed]);
      const ranOn = (await Promise.race([compute.request({ type: 'start', backend }), failed])) as RanOn;
      return { compute, adapter: ranOn.adapter ?? '' };
    } catch (error) {
      worker.terminate();
      throw error;
    }
  }

  pool(kind: ExplorerKind, image: Image, values: OptionValues): Promise<PoolingResult> {
    return this.request({ type: 'pool', kind: kind.name, image, values }) as Promise<PoolingResult>;
  }

  async loadModel(source: ModelSource): Promise<LoadedModel> {
    const description = (await this.request({ type: 'load', source, base: location.href })) as string;
    return { description, run: (image) => this.request({ type: 'predict', image }) as Promise<ModelRun> };
  }

  private request(request: WorkerRequest): Promise<unknown> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...request });
    });
  }

  private answer(answer: WorkerAnswer | 'listening'): void {
    if (answer === 'listening') return;
    const waiter = this.waiting.get(answer.id);
    this.waiting.delete(answer.id);
    if (answer.ok) {
      this.onAnswer(answer.ranOn);
      waiter?.resolve(answer.value);
    } else waiter?.reject(new WorkerError(answer.name, answer.message));
  }
}

/** The explorer kind of a name (the worker gets names: kinds hold functions, which cannot be posted). */
export function kindNamed(name: string): ExplorerKind {
  const kind = explorableKinds().find((candidate) => candidate.name === name);
  if (kind === undefined) throw new Error(`no explorer kind named '${name}'`);
  return kind;
}
