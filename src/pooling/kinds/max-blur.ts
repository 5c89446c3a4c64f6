// MaxBlurPool (Zhang, "Making Convolutional Networks Shift-Invariant Again", ICML 2019): max pooling
// evaluated densely (stride 1), then BlurPool's anti-aliased subsampling (blur.ts) in place of the stride.
//
// m = maxPool(x, kernel k, stride 1, no padding) — N − k + 1 cells per axis, max pooling's rules: NaN
// propagates, the first of tied maxima wins; then y = blurPool(m, filterSize f, stride s, padMode),
// ⌈(N − k + 1)/s⌉ cells per axis. As the paper's code: MaxPool2d(kernel_size=2, stride=1) followed by
// BlurPool(filt_size=f, stride=2) with reflect padding. ∂y/∂x: the blur's transpose (each tap's weight
// to the cell of m it read), then all of each m cell's gradient to its argmax.
import { poolGeometry } from '../../geometry/pool-geometry.js';
import { activeBackendRuns, kernel } from '../../kernels/backend.js';
import { maxBlurPoolForward } from '../../kernels/reference/extra/max-blur-pool.js';
import { Tensor } from '../../tensor/tensor.js';
import { asPoolOptions } from '../common-options.js';
import { indicesLike, runPoolSteps } from '../compute.js';
import { rankedOps, type OpCall, type OpOptions } from '../kind.js';
import { standardKind } from '../kind-presets.js';
import type { SpatialDims } from '../../geometry/layout.js';
import type { Shape } from '../../tensor/tensor.js';
import { blurGeometry, blurOptions, exportBlur, type BlurOptions } from './blur-geometry.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { spatial } from '../../formats/onnx/pool-nodes.js';
import { maxPoolNode, windowAxes } from '../../formats/onnx/pool-window.js';

export interface MaxBlurPoolOptions extends BlurOptions {
  /** The dense max pooling's window, one number or one per axis (default 2, as the paper). */
  kernelSize?: number | readonly number[];
}

/** The dense max pooling's geometry and the blur's over its maxima (exported for the kernel tests). */
export function maxBlurGeometries(op: string, shape: Shape, rank: SpatialDims, options: OpOptions) {
  const kernelSize = options.kernelSize ?? 2;
  const dense = poolGeometry(op, shape, rank, asPoolOptions({ kernelSize, stride: 1, dataFormat: options.dataFormat }));
  return { dense, blur: blurGeometry(op, dense.outputShape, rank, options) };
}

function computeMaxBlurPool({ op, input, options, rank }: OpCall): Tensor {
  const { dense, blur } = maxBlurGeometries(op, input.shape, rank, options);
  return runPoolSteps(op, [input], blur.outputShape, {
    saved: [indicesLike(dense.outputShape)],
    bindsResident: true,
    forward: ({ inputs: [x], output, saved: [argmax] }) => {
      // One kernel where the active backend has it (the reference's, which composes its own steps);
      // elsewhere (wasm, webgpu) the backend's max pooling and blur kernels, which keep their tensors
      // where they are (a fused wasm forward measured slower: docs/kind-speed.md, "Lead, sixth round").
      if (activeBackendRuns('maxBlurPoolForward')) {
        kernel('maxBlurPoolForward')(x!.kernelValues, output.kernelValues, argmax!.kernelIntValues, { dense, blur });
        return;
      }
      const maxima = Tensor.allocate(dense.outputShape, 'float32', [x!]);
      kernel('maxPoolForward')(x!.kernelValues, maxima.kernelValues, argmax!.kernelIntValues, dense);
      kernel('blurPoolForward')(maxima.kernelValues, output.kernelValues, blur);
      maxima.dispose();
    },
    backward: ({ saved: [argmax], gradOutput, gradInputs: [gradInput] }) => {
      const gradMaxima = Tensor.allocate(dense.outputShape, 'float32', [gradOutput]);
      kernel('blurPoolBackward')(gradOutput.kernelValues, gradMaxima.kernelValues, blur);
      kernel('maxPoolBackward')(gradMaxima.kernelValues, argmax!.kernelIntValues, gradInput!.kernelValues, dense);
      gradMaxima.dispose();
    },
  }).output;
}

/** MaxPool (stride 1, no padding), then the blur on its output. */
function exportMaxBlurPool(call: OnnxExportCall) {
  const { dense } = maxBlurGeometries(call.owner, call.inputShape, call.rank, call.options);
  const maxima = maxPoolNode(call, call.input, windowAxes(dense, call.rank), false);
  return spatial(exportBlur(call, maxima, dense.outputShape));
}

export const maxBlurKind = standardKind({
  names: ['maxBlur', 'maxBlurPool'],
  layoutFree: true,
  window: 'filter',
  op: 'maxBlurPool{rank}d',
  options: [
    {
      name: 'kernelSize',
      configName: 'poolSize',
      default: 2,
      inConfig: 'always',
      doc: 'Window of the dense (stride 1, unpadded) max pooling before the blur (layers: poolSize, default 2).',
      field: { type: 'pair', min: 1, demo: [2, 2] },
    },
    ...blurOptions,
  ],
  docs: {
    label: 'MaxBlurPool',
    summary: 'Max pooling with stride 1, then a binomial blur and subsampling: anti-aliased max pooling.',
    formula: 'y = blurPool(maxPool(x, k, stride 1), filterSize f, stride s)',
    gradient: "The blur's transpose to the dense maxima, then each maximum's gradient to its argmax (first of ties).",
    source: 'Zhang, "Making Convolutional Networks Shift-Invariant Again", ICML 2019 (antialiased-cnns)',
  },
  kernels: { maxBlurPoolForward },
  outputShape: (op, shape, options, rank) => maxBlurGeometries(op, shape, rank, options).blur.outputShape,
  compute: computeMaxBlurPool,
  layer: { seedConfig: { poolSize: 2, filterSize: 4, strides: 2 } },
  onnx: { export: exportMaxBlurPool },
});

/**
 * MaxBlurPool over [batch, ...spatial, channels] (or channelsFirst).
 * @example maxBlurPool2d(x, { kernelSize: 2, filterSize: 4 }) // 26×26 → 25×25 maxima → 13×13
 */
export type MaxBlurPoolOp = (input: Tensor, options?: MaxBlurPoolOptions) => Tensor;

export const [maxBlurPool1d, maxBlurPool2d, maxBlurPool3d] = rankedOps(maxBlurKind).as<MaxBlurPoolOp>();
