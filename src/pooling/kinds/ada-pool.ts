// AdaPool: Stergiou & Poppe, "AdaPool: Exponential Adaptive Pooling for Information-Retaining
// Downsampling", IEEE Transactions on Image Processing 32 (2023), 251–266.
//
// Over a window's in-bounds cells x_1 … x_n with mean ā:
//   eDSCW = Σ e^{DSC(x_i, ā)}·x_i / Σ e^{DSC(x_j, ā)},  DSC(a, b) = 2ab / (a² + b²)  (Dice–Sørensen)
//   eM    = Σ e^{x_i}·x_i / Σ e^{x_j}                                              (SoftPool)
//   y     = β·eDSCW + (1 − β)·eM
// β is learnable, one per output cell (the paper's per-region mask, shape = the output's spatial
// size, shared by batch and channels) or one for the layer (shape [1]). As in the authors' code
// (adapool_cuda), DSC compares scalars channel by channel. eM is computed here, not borrowed from
// the SoftPool kind, so the two stay independent. Choices where the paper is silent:
// - windows: poolGeometry's (padding, dilation, ceil mode as every sliding kind), not the CUDA
//   kernel's centred offset; padded cells are not cells (n counts in-bounds cells only);
// - β is not clamped to [0, 1] in the forward pass (the authors' default path does not clamp
//   either); layers start it at 0.5;
// - DSC(0, 0) = 1, its value along a = b, with zero derivative (the paper's formula is 0/0 there,
//   which would make any all-zero ReLU window NaN);
// - eM subtracts the window's max before exponentiating (same value, no overflow);
// - an empty window outputs 0 and passes no gradient; a window holding NaN or ±Infinity outputs
//   NaN and passes NaN to its cells and to its β.
import { fail } from '../../errors.js';
import type { PoolOptions } from '../../geometry/pool-geometry.js';
import { kernel } from '../../kernels/backend.js';
import { adaPoolBackward, adaPoolForward } from '../../kernels/reference/extra/ada-pool.js';
import { full } from '../../tensor/create.js';
import type { Shape, Tensor } from '../../tensor/tensor.js';
import { checkParameterShape, runWeightedWindow } from '../arguments.js';
import { windowGeometry, windowOptions, windowOutputShape } from '../common-options.js';
import { KEPT_PLANES, keptSpec } from './forward-keep.js';
import { definePoolingKind, rankedOps, type LayerContext, type LayerWeights, type OpCall } from '../kind.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { blend, scalar, spatial } from '../../formats/onnx/pool-nodes.js';
import { exportWindow } from '../../formats/onnx/pool-window.js';
import {
  cellMean,
  exponentialMean,
  masked,
  pooledOutput,
  weightedMean,
  windowCells,
} from '../../formats/onnx/window-cells.js';

function computeAdaPool(call: OpCall): Tensor {
  const { op, input, tensors } = call;
  const geometry = windowGeometry(call);
  const outSpatial = geometry.outputShape.slice(geometry.channelsLast ? 1 : 2, geometry.channelsLast ? -1 : undefined);
  checkParameterShape(op, 'beta', tensors[0], [[1], outSpatial]);
  // the GPU backward sums β's gradient on the host: no resident binding
  const pair = { forward: () => kernel('adaPoolForward'), backward: () => kernel('adaPoolBackward'), hostWork: true };
  return runWeightedWindow(op, input, tensors[0]!, geometry, pair, (windows) => keptSpec(windows, KEPT_PLANES.adaPool));
}

/** The output's spatial sizes for a layer's input, which must be known: β has one weight per cell. */
function outputCells(context: LayerContext): Shape {
  const { inputShape, options, rank, owner } = context;
  if (inputShape.slice(1).some((extent) => extent === null))
    fail(owner, 'input', 'must have known spatial sizes (beta has one weight per output cell)', inputShape);
  const shape = windowOutputShape(owner, [1, ...(inputShape.slice(1) as number[])], options, rank);
  const channelsLast = (options.dataFormat ?? 'channelsLast') === 'channelsLast';
  return channelsLast ? shape.slice(1, -1) : shape.slice(2);
}

/** The layer's weight 'beta', one per output cell, all at betaInitial (0.5: halfway between the two means). */
const adaWeights: LayerWeights = {
  shapes: (context) => [{ name: 'beta', shape: outputCells(context) }],
  initialize: (context) => {
    const initial = context.options.betaInitial ?? 0.5;
    if (typeof initial !== 'number' || !Number.isFinite(initial))
      fail(context.owner, 'betaInitial', 'must be a finite number', initial);
    return [full(outputCells(context), initial)];
  },
};

/**
 * Each window's cells side by side: ā their mean, DSC = 2xā/(x² + ā²) (1 where x² + ā² = 0),
 * eDSCW = Σ e^DSC·x / Σ e^DSC, eM as SoftPool's, blended by β (a scalar or one per output cell).
 */
function exportAdaPool(call: OnnxExportCall) {
  const { graph, owner } = call;
  const apply = (opType: string, inputs: string[]) => graph.apply(opType, inputs, {}, owner);
  const { axes } = exportWindow(call);
  const cells = windowCells(call, call.input, axes);
  const x = cells.values;
  const mean = cellMean(cells, x);
  const norm = apply('Add', [apply('Mul', [x, x]), apply('Mul', [mean, mean])]);
  const product = apply('Mul', [scalar(call, 'two', 2), apply('Mul', [x, mean])]);
  const zero = scalar(call, 'zero', 0);
  const dice = apply('Where', [apply('Equal', [norm, zero]), scalar(call, 'one', 1), apply('Div', [product, norm])]);
  const diceMean = weightedMean(cells, masked(cells, apply('Exp', [dice]), 0), x);
  const beta = call.weights[0]!;
  const betaShape = beta.size === 1 ? [] : [1, ...axes.outSize];
  const blended = blend(
    call,
    graph.floats(`${owner}/beta`, beta.values, betaShape),
    diceMean,
    exponentialMean(cells, x),
  );
  return spatial(pooledOutput(cells, blended));
}

export const adaKind = definePoolingKind({
  names: ['adaPool'],
  layoutFree: true,
  window: 'sliding',
  ranks: [1, 2, 3],
  op: 'adaPool{rank}d',
  // The wasm kernels: float32 with a 1-ulp SIMD e^x (reference: float64). y within ~10⁻⁶; ∂y/∂x
  // carries (x − A)·∂DSC/∂x, whose slope grows as 1/max(|x|, |ā|): a small cell in a window of
  // large ones (|x| ≤ 8) amplifies float32 rounding to ~10⁻⁵ absolute (measured over 3000 random cases: 1.4·10⁻⁵).
  tolerance: { relative: 1e-5, absolute: 5e-5 },
  tensorArguments: ['beta'],
  options: [
    ...windowOptions,
    {
      name: 'betaInitial',
      layerOnly: true,
      default: 0.5,
      inConfig: 'always',
      doc: 'The initial blend β of every output cell (1: all eDSCW, 0: all eM/SoftPool).',
      field: { type: 'number', step: 0.1, demo: 0.5 },
    },
  ],
  docs: {
    label: 'AdaPool',
    summary: 'A learnable per-cell blend β of the Dice–Sørensen-weighted mean and the exponential-max (SoftPool) mean.',
    formula:
      'y = β·Σ e^{DSC(x_i, ā)}·x_i / Σ e^{DSC(x_j, ā)} + (1 − β)·Σ e^{x_i}·x_i / Σ e^{x_j}, DSC(a, b) = 2ab/(a² + b²)',
    gradient:
      '∂y/∂β = eDSCW − eM; ∂y/∂x through both weightings (softmax-style), DSC through the cell and the window mean.',
    source: 'Stergiou & Poppe, IEEE TIP 2023',
  },
  kernels: { adaPoolForward, adaPoolBackward },
  outputShape: windowOutputShape,
  compute: computeAdaPool,
  layer: { className: 'AdaPooling{rank}D', keras: false, seedConfig: { poolSize: 2 }, weights: adaWeights },
  onnx: { export: exportAdaPool },
});

/**
 * AdaPool with the blend `beta`, shape [1] or the output's spatial shape ([outHeight, outWidth] in 2D).
 * @example adaPool2d(x, full([14, 14], 0.5), { kernelSize: 2 }) // 28x28 input
 */
export type AdaPoolOp = (input: Tensor, beta: Tensor, options: PoolOptions) => Tensor;

export const [adaPool1d, adaPool2d, adaPool3d] = rankedOps(adaKind).as<AdaPoolOp>();
