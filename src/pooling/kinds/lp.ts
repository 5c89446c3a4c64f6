// Lp pooling: the p-norm of each window, (Σ |x|^p)^(1/p), as ONNX LpPool defines it (poolkit's
// LpPooling1D/2D/3D layers; p = 2 is L2 pooling).
//
// Semantics, on every backend:
// - output size, SAME split and ceil mode: poolGeometry, as for every pooling;
// - out = (Σ |x|^p)^(1/p) over the window's in-bounds cells, for any real p >= 1; padding and
//   ceil-mode overhang contribute 0 (ONNX LpPool); p = 1 is the sum of |x|, p = 2 the Euclidean norm;
// - gradient: gradOutput · |x|^(p-1)·sign(x) / out^(p-1), and 0 for a window whose out is 0;
// - float32 arithmetic, as PyTorch's lp_pool: each |x|^p rounds (so it overflows to Infinity past
//   float32's range, |x| > 1.8e19 for p = 2), the sum rounds after each cell in window order, the
//   root rounds once; the backward rounds each factor and term (reference lp-pool.ts);
// - PyTorch's lp_pool1d/2d compute (avg_pool(x^p) · kernelVolume)^(1/p) instead: no absolute value
//   (negative inputs give NaN for fractional or odd p), windows overhanging in ceil mode scaled by
//   kernelVolume / inBounds, and no padding or dilation. The two agree, and poolkit matches PyTorch,
//   for p = 2 or non-negative input without ceil-mode overhang.
import type { PoolGeometry, PoolOptions } from '../../geometry/pool-geometry.js';
import { kernel } from '../../kernels/backend.js';
import { lpPoolBackward, lpPoolForward } from '../../kernels/reference/lp-pool.js';
import type { Tensor } from '../../tensor/tensor.js';
import { windowGeometry, windowOptions, windowOutputShape } from '../common-options.js';
import { runPoolSteps, type PoolSteps } from '../compute.js';
import { powerOf } from '../arguments.js';
import { rankedOps, type OpCall } from '../kind.js';
import { slidingWindowKind } from '../kind-presets.js';
import type { OnnxExportCall, OnnxImportNode } from '../../formats/onnx/kind-hook.js';
import { scalar, spatial } from '../../formats/onnx/pool-nodes.js';
import { exportWindow, lpPoolNode, windowWeightedSum } from '../../formats/onnx/pool-window.js';
import { powerImport, slidingImport } from '../../formats/onnx/pool-import.js';

export interface LpPoolOptions extends PoolOptions {
  /** The power p: a finite number of at least 1 (layers default to 2). */
  p?: number;
  /** PyTorch's name for p; give one of the two. */
  normType?: number;
}

function computeLpPool(call: OpCall): Tensor {
  const { op, input, options } = call;
  const power = powerOf(op, options);
  const geometry = windowGeometry(call);
  return runPoolSteps(op, [input], geometry.outputShape, lpSteps(geometry, power)).output;
}

/** Lp pooling's steps over `geometry` (global Lp pooling's too: one window as large as the input). */
export function lpSteps(geometry: PoolGeometry, power: number): PoolSteps {
  return {
    bindsResident: true,
    forward: ({ inputs: [x], output }) =>
      kernel('lpPoolForward')(x!.kernelValues, output.kernelValues, geometry, power),
    backward: ({ inputs: [x], output, gradOutput, gradInputs: [gradInput] }) =>
      kernel('lpPoolBackward')(
        x!.kernelValues,
        output.kernelValues,
        gradOutput.kernelValues,
        gradInput!.kernelValues,
        geometry,
        power,
      ),
  };
}

/**
 * ONNX LpPool for a whole p (its attribute is an int); any other p as (Σ |x|^p)^(1/p) with the window
 * sum a depthwise Conv, padding reading 0 as LpPool's does.
 */
function exportLpPool(call: OnnxExportCall) {
  const p = powerOf(call.owner, call.options);
  const { geometry, axes } = exportWindow(call);
  if (Number.isInteger(p)) return spatial(lpPoolNode(call, call.input, axes, call.options.ceilMode === true, p));
  const powered = call.graph.apply(
    'Pow',
    [call.graph.apply('Abs', [call.input], {}, call.owner), scalar(call, 'p', p)],
    {},
    call.owner,
  );
  const sum = windowWeightedSum(call, powered, axes, geometry.channels);
  return spatial(call.graph.apply('Pow', [sum, scalar(call, 'root', 1 / p)], {}, call.owner));
}

function importLpPool(node: OnnxImportNode) {
  const { rank, config } = slidingImport(node);
  return { rank, config: { ...config, p: powerImport(node) } };
}

export const lpKind = slidingWindowKind({
  names: ['lp', 'l2', 'power'],
  layoutFree: true,
  op: 'lpPool{rank}d',
  tolerance: { relative: 1e-6, absolute: 1e-30 },
  options: [
    ...windowOptions,
    {
      name: 'p',
      required: 'op',
      layerDefault: 2,
      inConfig: 'always',
      doc: 'The power, required by the op (layers: default 2): a finite number of at least 1; 1 sums |x|, 2 is the Euclidean norm, large p nears max.',
      field: { type: 'number', min: 1, step: 0.5, demo: 2 },
    },
    { name: 'normType', configName: null, doc: "PyTorch's name for p." },
  ],
  docs: {
    label: 'Lp pooling',
    summary: 'The p-norm of each window; p = 2 is L2 pooling.',
    formula: 'y = (Σ |x|^p)^(1/p) over the window',
    gradient: 'gradOutput · |x|^(p−1)·sign(x) / y^(p−1) to each cell; 0 where y = 0.',
    source: 'ONNX LpPool; PyTorch lp_pool (which lacks the absolute value)',
  },
  kernels: { lpPoolForward, lpPoolBackward },
  outputShape: (op, shape, options, rank) => {
    powerOf(op, options);
    return windowOutputShape(op, shape, options, rank);
  },
  compute: computeLpPool,
  layer: { seedConfig: { poolSize: 2, p: 2 } },
  onnx: { export: exportLpPool, import: { ops: ['LpPool'], config: importLpPool } },
});

/**
 * Lp pooling. @example lpPool2d(x, { p: 2, kernelSize: 2 }) // L2 pooling
 */
export type LpPoolOp = (input: Tensor, options: LpPoolOptions) => Tensor;

export const [lpPool1d, lpPool2d, lpPool3d] = rankedOps(lpKind).as<LpPoolOp>();
