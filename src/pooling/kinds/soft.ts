// SoftPool: each window's softmax-weighted mean (Stergiou, Poppe & Kalliatakis, "Refining activation
// downsampling with SoftPool", ICCV 2021): y = Σ softmax(x)ᵢ·xᵢ = Σ e^{xᵢ}·xᵢ / Σ e^{xᵢ}.
//
// Semantics, on every backend:
// - output size, SAME split and ceil mode: poolGeometry, as for every window kind; the sum runs over
//   the window's in-bounds cells (padding is not a cell, so it never takes weight);
// - computed stably: eᵢ = e^{xᵢ − m} with m the window max, y = m + Σ eᵢ(xᵢ − m) / Σ eᵢ, so large
//   inputs never overflow and a window of equal values gives that value exactly;
// - no clamping: an all-negative window gives a negative result (the authors' CPU code clamps at 0,
//   their paper's formula does not);
// - gradient ∂y/∂xₖ = sₖ·(1 + xₖ − y), sₖ = eₖ / Σ e; tied values get equal shares;
// - NaN in a window: output NaN; +Infinity: output +Infinity (all weight on the infinite cells);
//   −Infinity cells take weight 0 (an all −Infinity window outputs −Infinity); a window whose output
//   is not finite passes no gradient; a window with no in-bounds cell (dilation) outputs 0.
import type { PoolOptions } from '../../geometry/pool-geometry.js';
import { softPoolBackward, softPoolForward } from '../../kernels/reference/extra/soft-pool.js';
import type { Tensor } from '../../tensor/tensor.js';
import { windowGeometry } from '../common-options.js';
import { kernel } from '../../kernels/backend.js';
import { runPoolSteps } from '../compute.js';
import { clearedRoom, KEPT_CELL_PLANES, KEPT_PLANES, keptSpec } from './forward-keep.js';
import { rankedOps, type OpCall } from '../kind.js';
import { slidingWindowKind } from '../kind-presets.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { spatial } from '../../formats/onnx/pool-nodes.js';
import { exportWindow } from '../../formats/onnx/pool-window.js';
import { exponentialMean, pooledOutput, windowCells } from '../../formats/onnx/window-cells.js';

/** A forward that records a gradient gets a room to keep each cell's e^{x − m} for the backward (forward-keep.ts). */
function computeSoftPool(call: OpCall): Tensor {
  const { input } = call;
  const geometry = windowGeometry(call);
  const room = keptSpec(geometry, KEPT_PLANES.soft, KEPT_CELL_PLANES.soft);
  return runPoolSteps(call.op, [input], geometry.outputShape, {
    zeroGradients: true,
    saved: input.requiresGrad ? [room] : [],
    bindsResident: true,
    forward: ({ output, saved: [kept] }) =>
      kernel('softPoolForward')(input.kernelValues, output.kernelValues, geometry, clearedRoom(kept)),
    backward: ({ gradOutput, gradInputs: [gradInput], saved: [kept] }) =>
      kernel('softPoolBackward')(
        input.kernelValues,
        gradOutput.kernelValues,
        gradInput!.kernelValues,
        geometry,
        kept?.kernelValues,
      ),
  }).output;
}

/** Each window's cells side by side, m their ReduceMax, then m + Σ e^{x−m}(x − m) / Σ e^{x−m} as the kernel. */
function exportSoftPool(call: OnnxExportCall) {
  const cells = windowCells(call, call.input, exportWindow(call).axes);
  return spatial(pooledOutput(cells, exponentialMean(cells, cells.values)));
}

export const softKind = slidingWindowKind({
  names: ['soft', 'softPool'],
  layoutFree: true,
  op: 'softPool{rank}d',
  // The wasm kernels: float32 with a 1-ulp SIMD e^x (weights under 2⁻¹²⁶ taken as 0: beside the max's
  // weight 1 they change no float32 sum); y = m + q rounds once more than the float64
  // reference, and ∂y/∂xₖ's factor 1 + xₖ − y inherits y's rounding (|x|, |y| ≤ 8: ~10⁻⁶ absolute).
  tolerance: { relative: 1e-5, absolute: 1e-6 },
  docs: {
    label: 'SoftPool',
    summary: 'The softmax-weighted mean of each window: large values weigh exponentially more.',
    formula: 'y = Σ softmax(x)ᵢ·xᵢ = Σ e^{xᵢ − m}·xᵢ / Σ e^{xᵢ − m} over the window (m: its max)',
    gradient: 'sₖ·(1 + xₖ − y) to each cell (sₖ its softmax weight); none from a window whose output is not finite.',
    source: 'Stergiou, Poppe & Kalliatakis, ICCV 2021',
  },
  kernels: { softPoolForward, softPoolBackward },
  compute: computeSoftPool,
  onnx: { export: exportSoftPool },
});

/**
 * SoftPool (Stergiou, Poppe & Kalliatakis, ICCV 2021) over [batch, ...spatial, channels] (or
 * channelsFirst): y = Σ softmax(x)ᵢ·xᵢ over each window's in-bounds cells, shifted by the window max.
 * @example softPool2d(x, { kernelSize: 2 })
 */
export type SoftPoolOp = (input: Tensor, options: PoolOptions) => Tensor;

export const [softPool1d, softPool2d, softPool3d] = rankedOps(softKind).as<SoftPoolOp>();
