// The backend menu and the badge: wasm (or reference) on the page's own thread, or webgpu in a
// compute worker where an adapter exists (never the default); the badge says which ran and, for
// webgpu, how many kernel calls ran on the GPU and how many came from the reference backend.
import { webGpuRefusal, type BackendReport } from './backend.js';
import { LocalCompute, WorkerCompute, type Compute, type RanOn } from './compute.js';
import { byId, element } from './dom.js';

/** How many threads the WebAssembly kernels run on: one where the host sends no COOP/COEP headers. */
function threadNote(backend: BackendReport): string {
  if (backend.name !== 'wasm') return '';
  if (!backend.isolated) return ' · single-threaded';
  return ` · ${backend.threads} thread${backend.threads === 1 ? '' : 's'}`;
}

function total(calls: Readonly<Record<string, number>> | undefined): number {
  return Object.values(calls ?? {}).reduce((sum, count) => sum + count, 0);
}

export class BackendChoice {
  private readonly menu = byId<HTMLSelectElement>('backend-choice');
  private readonly badge = byId('backend');
  private readonly local: LocalCompute;
  private worker: Promise<{ compute: WorkerCompute; adapter: string }> | null = null;

  /** `use` gets the engine each time the choice changes. */
  constructor(
    private readonly report: BackendReport,
    private readonly use: (compute: Compute) => void | Promise<void>,
  ) {
    this.local = new LocalCompute(report.name);
    this.menu.append(element('option', { value: report.name }, report.name));
    this.menu.addEventListener('change', () => void this.choose(this.menu.value));
    this.showLocal();
  }

  /** The page's own engine, which runs first. */
  get initial(): Compute {
    return this.local;
  }

  /** Offers webgpu where it can run (else shows it disabled, saying why); resolves once known. */
  async offerWebGpu(): Promise<boolean> {
    const refusal = await webGpuRefusal();
    const label = refusal === null ? 'webgpu' : 'webgpu (unavailable)';
    const option = element('option', { value: 'webgpu', disabled: refusal !== null, title: refusal ?? '' }, label);
    this.menu.append(option);
    this.menu.dataset.webgpu = refusal === null ? 'available' : 'unavailable';
    if (refusal !== null) this.menu.title = `webgpu: ${refusal}`;
    return refusal === null;
  }

  /** Switches to `name`; where webgpu cannot start, the badge says why and the page stays where it was. */
  async choose(name: string): Promise<void> {
    this.menu.value = name;
    if (name !== 'webgpu') {
      this.showLocal();
      return this.use(this.local);
    }
    this.badge.textContent = 'backend: webgpu · starting…';
    try {
      this.worker ??= WorkerCompute.start('webgpu');
      const { compute, adapter } = await this.worker;
      compute.onAnswer = (ranOn) => this.showWebGpu(adapter, ranOn);
      this.showWebGpu(adapter, { backend: 'webgpu' });
      await this.use(compute);
    } catch (error) {
      this.worker = null;
      this.menu.value = this.report.name;
      this.showLocal();
      this.badge.dataset.error = error instanceof Error ? error.message : String(error);
      this.badge.title = `webgpu could not start: ${this.badge.dataset.error}`;
    }
  }

  private showLocal(): void {
    const backend = this.report;
    this.badge.textContent = `backend: ${backend.name}${threadNote(backend)}`;
    this.badge.dataset.backend = backend.name;
    this.badge.dataset.isolated = String(backend.isolated);
    this.badge.title =
      `Kernels: ${backend.available.join(', ')}. ` +
      (backend.isolated
        ? `Cross-origin isolated: ${backend.threads} thread(s) share the heap.`
        : 'Not cross-origin isolated (the host sends no COOP/COEP headers): the kernels run on one thread.');
  }

  private showWebGpu(adapter: string, ranOn: RanOn): void {
    this.badge.textContent = `backend: ${ranOn.backend} · ${adapter}`;
    this.badge.dataset.backend = ranOn.backend;
    this.badge.dataset.gpuCalls = JSON.stringify(ranOn.gpuCalls ?? {});
    this.badge.dataset.fallbackCalls = JSON.stringify(ranOn.fallbackCalls ?? {});
    this.badge.title =
      `WebGPU on ${adapter}, in a Web Worker: ${total(ranOn.gpuCalls)} kernel calls ran on the GPU, ` +
      `${total(ranOn.fallbackCalls)} on the reference backend (kernels without a GPU version run there too).`;
  }
}
