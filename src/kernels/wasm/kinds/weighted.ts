// The weighted family's kernel table (assembly/kinds/weighted/): SoftPool, GeM (windowed and
// global), LSE, LIP, AdaPool and DPP, each window's weights from a SIMD e^x and ln x, on the calls
// of weighted-calls.ts; and where a forward keeps its per-cell values for the backward (kept rooms).
import type { PoolGeometry } from '../../../geometry/pool-geometry.js';
import type { PoolingKernels } from '../../types.js';
import type { KernelModule } from '../loader.js';
import type { WeightedWindowBackward, WeightedWindowForward } from '../../reference/extra/kernel-signatures.js';
import {
  backwardExports,
  type BackwardExports,
  cellTerms,
  noTensors,
  rowTerms,
  runBackward,
  runForward,
  windowsOverlap,
} from './weighted-calls.js';
import { KEPT_CELL_PLANES, KEPT_MARK, KEPT_PLANES, keptLength } from '../../../pooling/kinds/forward-keep.js';

const softExports = backwardExports('soft', 3);
const gemExports = backwardExports('gem', 2);
const lipExports = backwardExports('lip', 3);
const lseExports = backwardExports('lse', 3);
const adaExports = backwardExports('ada', 7, 1);
const dppExports = backwardExports('dpp', 5, 1);
/** From a kept room: the fused walk (the room is kept only where windows do not overlap), nothing to allocate. */
const adaKeptExports = { ...adaExports, fused: 'adaSavedBackwardRows', cellPlanes: 0 };
const dppKeptExports = { ...dppExports, fused: 'dppSavedBackwardRows', cellPlanes: 0 };
const gemKeptExports = { ...gemExports, fused: 'gemSavedBackwardRows', cellPlanes: 0 };
const lipKeptExports = { ...lipExports, fused: 'lipSavedBackwardRows', cellPlanes: 0 };
const lseKeptExports = { ...lseExports, fused: 'lseSavedBackwardRows', cellPlanes: 0 };
const softKeptExports = { ...softExports, fused: 'softSavedBackwardRows', cellPlanes: 0 };

/** Whether a forward may fill `kept` (a room of the right size, windows that do not overlap). */
function keeps(
  geometry: PoolGeometry,
  kept: Float32Array | undefined,
  planes: number,
  cellPlanes = 2,
): kept is Float32Array {
  return kept !== undefined && !windowsOverlap(geometry) && kept.length === keptLength(geometry, planes, cellPlanes);
}

/** Marks `kept` as filled, before the forward that fills it (a forward that throws has no backward). */
function markKept(kept: Float32Array): void {
  kept[kept.length - 1] = KEPT_MARK;
}

/** Whether a backward may read `kept`: a room a fast forward filled. */
const filledRoom = (
  geometry: PoolGeometry,
  kept: Float32Array | undefined,
  planes: number,
  cellPlanes = 2,
): kept is Float32Array => keeps(geometry, kept, planes, cellPlanes) && kept[kept.length - 1] === KEPT_MARK;

/** The forward of a kind with one parameter tensor (GeM's p, LSE's r): `kind`PoolSavingRows where it fills the room. */
function scalarForward(kinds: KernelModule, kind: 'gem' | 'lse'): WeightedWindowForward {
  return (input, weights, output, geometry, kept) => {
    const keeping = keeps(geometry, kept, KEPT_PLANES[kind], KEPT_CELL_PLANES[kind]);
    if (keeping) markKept(kept);
    const room = { kept: keeping ? kept : undefined, keptPlanes: KEPT_PLANES[kind] };
    const name = keeping ? `${kind}PoolSavingRows` : `${kind}PoolRows`;
    runForward(kinds, name, geometry, { ...noTensors, input, output, weights, ...room });
  };
}

/** Its backward: from the room (`keptExports`) where the forward filled it, else computed anew. */
function scalarBackward(
  kinds: KernelModule,
  kind: 'gem' | 'lse',
  exports: BackwardExports,
  keptExports: BackwardExports,
): WeightedWindowBackward {
  return (input, weights, gradOutput, gradInput, gradWeights, geometry, kept) => {
    const reading = filledRoom(geometry, kept, KEPT_PLANES[kind], KEPT_CELL_PLANES[kind]);
    const room = { kept: reading ? kept : undefined, keptPlanes: KEPT_PLANES[kind] };
    const tensors = { ...noTensors, input, gradOutput, gradInput, weights, gradWeights, ...room };
    const terms = rowTerms(geometry, [weights]);
    runBackward(kinds, reading ? keptExports : exports, geometry, tensors, terms, [gradWeights]);
  };
}

/** The weighted family's kernels over the kinds module. */
export function createWeightedKernels(kinds: KernelModule): Partial<PoolingKernels> {
  return {
    softPoolForward(input, output, geometry, kept) {
      const keeping = keeps(geometry, kept, KEPT_PLANES.soft, KEPT_CELL_PLANES.soft);
      if (keeping) markKept(kept);
      const room = { kept: keeping ? kept : undefined, keptPlanes: KEPT_PLANES.soft };
      runForward(kinds, keeping ? 'softPoolSavingRows' : 'softPoolRows', geometry, {
        ...noTensors,
        input,
        output,
        ...room,
      });
    },
    softPoolBackward(input, gradOutput, gradInput, geometry, kept) {
      const reading = filledRoom(geometry, kept, KEPT_PLANES.soft, KEPT_CELL_PLANES.soft);
      const room = { kept: reading ? kept : undefined, keptPlanes: KEPT_PLANES.soft };
      const exports = reading ? softKeptExports : softExports;
      runBackward(kinds, exports, geometry, { ...noTensors, input, gradOutput, gradInput, ...room });
    },
    gemPoolForward: scalarForward(kinds, 'gem'),
    gemPoolBackward: scalarBackward(kinds, 'gem', gemExports, gemKeptExports),
    lipPoolForward(input, logits, output, geometry, kept) {
      const keeping = keeps(geometry, kept, KEPT_PLANES.lip, KEPT_CELL_PLANES.lip);
      if (keeping) markKept(kept);
      const room = { kept: keeping ? kept : undefined, keptPlanes: KEPT_PLANES.lip };
      const { coefficient } = geometry;
      const name = keeping ? 'lipPoolSavingRows' : 'lipPoolRows';
      runForward(kinds, name, geometry, { ...noTensors, input, output, logits, coefficient, ...room });
    },
    lipPoolBackward(input, logits, gradOutput, gradInput, gradLogits, geometry, kept) {
      const reading = filledRoom(geometry, kept, KEPT_PLANES.lip, KEPT_CELL_PLANES.lip);
      const tensors = {
        ...noTensors,
        input,
        gradOutput,
        gradInput,
        logits,
        gradLogits,
        coefficient: geometry.coefficient,
        kept: reading ? kept : undefined,
        keptPlanes: KEPT_PLANES.lip,
      };
      runBackward(kinds, reading ? lipKeptExports : lipExports, geometry, tensors);
    },
    lsePoolForward: scalarForward(kinds, 'lse'),
    lsePoolBackward: scalarBackward(kinds, 'lse', lseExports, lseKeptExports),
    adaPoolForward(input, beta, output, geometry, kept) {
      const keeping = keeps(geometry, kept, KEPT_PLANES.adaPool);
      if (keeping) markKept(kept);
      const tensors = { ...noTensors, input, output, weights: beta, kept: keeping ? kept : undefined };
      const name = keeping ? 'adaPoolSavingRows' : 'adaPoolRows';
      runForward(kinds, name, geometry, { ...tensors, keptPlanes: KEPT_PLANES.adaPool });
    },
    adaPoolBackward(input, beta, gradOutput, gradInput, gradBeta, geometry, kept) {
      const reading = filledRoom(geometry, kept, KEPT_PLANES.adaPool);
      const tensors = { ...noTensors, input, gradOutput, gradInput, weights: beta };
      const withRoom = { ...tensors, kept: reading ? kept : undefined, keptPlanes: KEPT_PLANES.adaPool };
      const exports = reading ? adaKeptExports : adaExports;
      runBackward(kinds, exports, geometry, withRoom, cellTerms(geometry, beta), [gradBeta]);
    },
    dppPoolForward(input, alpha, lambda, output, geometry, asymmetric, kept) {
      const keeping = keeps(geometry, kept, KEPT_PLANES.dpp);
      if (keeping) markKept(kept);
      const parameters = { weights: alpha, secondWeights: lambda, option: Number(asymmetric) };
      const room = { kept: keeping ? kept : undefined, keptPlanes: KEPT_PLANES.dpp };
      const name = keeping ? 'dppPoolSavingRows' : 'dppPoolRows';
      runForward(kinds, name, geometry, { ...noTensors, input, output, ...parameters, ...room });
    },
    dppPoolBackward(input, alpha, lambda, gradOutput, gradInput, gradAlpha, gradLambda, geometry, asymmetric, kept) {
      const reading = filledRoom(geometry, kept, KEPT_PLANES.dpp);
      const tensors = {
        ...noTensors,
        input,
        gradOutput,
        gradInput,
        weights: alpha,
        secondWeights: lambda,
        option: Number(asymmetric),
        kept: reading ? kept : undefined,
        keptPlanes: KEPT_PLANES.dpp,
      };
      const terms = rowTerms(geometry, [alpha, lambda]);
      const exports = reading ? dppKeptExports : dppExports;
      runBackward(kinds, exports, geometry, tensors, terms, [gradAlpha, gradLambda]);
    },
  };
}

export { mathLanes, type MathMode } from './weighted-calls.js';
