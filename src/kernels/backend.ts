// Backends are objects of kernels. One is active; a kernel the active backend lacks comes from
// the reference backend, explicitly, here and nowhere else.
import type { KernelName, Kernels } from './types.js';

export interface Backend {
  readonly name: string;
  /** Kernels this backend implements; the rest fall back to the reference backend. */
  readonly kernels: Partial<Kernels>;
  /** Its pooling kernels vectorize across channels: layout-free kinds run channelsFirst calls transposed (pooling/channels-first.ts). */
  readonly poolsChannelsLast?: boolean;
}

const backends = new Map<string, Backend>();
/** Backends that exist but must be started first (async), with how: setBackend says so. */
const pending = new Map<string, string>();
let reference: Backend | null = null;
let active: Backend | null = null;

export function registerBackend(backend: Backend, options: { isReference?: boolean } = {}): void {
  backends.set(backend.name, backend);
  if (options.isReference) reference = backend;
  active ??= backend;
}

/** Makes the named backend active for every op from now on. */
export function setBackend(name: string): void {
  const backend = backends.get(name);
  if (backend === undefined) {
    const hint = pending.has(name) ? ` ('${name}' must be started first: ${pending.get(name)!})` : '';
    throw new RangeError(
      `setBackend: backend must be one of ${[...backends.keys()].map((key) => `'${key}'`).join(', ')}, got '${name}'${hint}`,
    );
  }
  active = backend;
}

/** Names a backend that registers itself only once started, and how to start it, for setBackend's error. */
export function announceBackend(name: string, howToStart: string): void {
  pending.set(name, howToStart);
}

/** Whether the active backend prefers channelsLast pooling (Backend.poolsChannelsLast). */
export function activeBackendPoolsChannelsLast(): boolean {
  return activeBackend().poolsChannelsLast === true;
}

export function getBackend(): string {
  return activeBackend().name;
}

export function listBackends(): string[] {
  return [...backends.keys()];
}

/** The kernel `name` of the active backend, or the reference one where it has none. */
export function kernel<Name extends KernelName>(name: Name): Kernels[Name] {
  const found = activeBackend().kernels[name] ?? referenceBackend().kernels[name];
  if (found === undefined) throw new Error(`poolkit: no backend implements kernel '${name}'`);
  return found as Kernels[Name];
}

/**
 * Whether the active backend runs kernel `name` itself rather than falling back to the reference's:
 * for an op with a one-kernel path that only pays where it is native (S3's sampled max pooling).
 */
export function activeBackendRuns(name: KernelName): boolean {
  return activeBackend().kernels[name] !== undefined;
}

/** Which backend runs kernel `name` now: for tests and benchmarks that must know. */
export function kernelSource(name: KernelName): string {
  return activeBackend().kernels[name] !== undefined ? activeBackend().name : referenceBackend().name;
}

/**
 * Which kernels of the table backend `name` runs itself (`own`) and which come from the reference
 * backend (`fallback`), sorted by name.
 */
export function kernelsOf(name: string): { own: KernelName[]; fallback: KernelName[] } {
  const backend = backends.get(name);
  if (backend === undefined) throw new RangeError(`kernelsOf: no backend named '${name}' is registered`);
  const all = Object.keys(referenceBackend().kernels).sort() as KernelName[];
  return {
    own: all.filter((kernelName) => backend.kernels[kernelName] !== undefined),
    fallback: all.filter((kernelName) => backend.kernels[kernelName] === undefined),
  };
}

function activeBackend(): Backend {
  if (active === null) throw new Error('poolkit: no backend registered');
  return active;
}

function referenceBackend(): Backend {
  if (reference === null) throw new Error('poolkit: the reference backend is not registered');
  return reference;
}
