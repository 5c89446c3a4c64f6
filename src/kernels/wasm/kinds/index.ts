// The kinds module's kernels (assembly/kinds/): loaded at import where the engine validates SIMD,
// registered with the thread pool, and gathered from one kernel-table file per family of kinds.
// Each family file exports `create<Family>Kernels(module)` returning the kernels it implements by
// their kernel-table names; a kind without a fast kernel here runs its reference kernels.
import type { PoolingKernels } from '../../types.js';
import * as kindsModule from '../generated/kinds.js';
import { loadKernelModule, simdSupported, type KernelModule } from '../loader.js';
import { registerThreadModule } from '../threads.js';
import { createRegionsKernels } from './regions.js';
import { createWeightedKernels } from './weighted.js';
import { createFiltersKernels } from './filters.js';
import { createSelectionKernels } from './selection.js';

/** One family's kernel-table builder. */
export type KindFamily = (kinds: KernelModule) => Partial<PoolingKernels>;

/** Every family of kinds with WebAssembly kernels: one line per family file. */
const families: readonly KindFamily[] = [
  createRegionsKernels,
  createWeightedKernels,
  createFiltersKernels,
  createSelectionKernels,
];

/** The kinds module, loaded at import where the engine validates SIMD; null (reference kernels) elsewhere. */
export const kindsKernelModule: KernelModule | null =
  typeof WebAssembly === 'object' && simdSupported(kindsModule) ? await loadKernelModule('kinds', kindsModule) : null;
if (kindsKernelModule !== null) registerThreadModule(kindsKernelModule);

export const wasmKindKernels: Partial<PoolingKernels> =
  kindsKernelModule === null
    ? {}
    : Object.assign({}, ...families.map((family) => family(kindsKernelModule as KernelModule)));
