// DiffStride: spectral pooling with learnable strides (Riad, Teboul, Grangier & Zeghidour, "Learning
// Strides in Convolutional Neural Networks", ICLR 2022): each spatial axis's DFT bins are weighted by a
// smooth mask whose cut-off follows a learnable, real stride S, the bins the mask zeroes are cropped,
// and the inverse DFT gives an output whose size follows the stride.
//
// Per axis of N cells, frequency k ∈ −⌊N/2⌋ … ⌈N/2⌉ − 1: m(k) = min(max((R + T − |k|)/R, 0), 1),
// T = max(N/(2S), 1), R = smoothness (the paper's adaptive-span mask: 1 up to the cut-off N/(2S), a
// ramp of width R, then 0). y = Re(IDFT(crop(m₁⊗…⊗m_r · DFT(x))))/N_in as in spectral pooling
// (spectral.ts: frequencies −⌊out/2⌋ … ⌈out/2⌉ − 1 kept, the DFT divided by the input's cell count).
// Output shape, for a batch: every sample shares the strides (a layer's weight), so one call has one
// shape — per axis, out = the mask's support #{k : m(k) > 0}, read from the strides' values when the op
// runs (the crop is not differentiated: the paper's stop-gradient); or `outputSize` fixes the crop.
// Backward: to x, spectral pooling's transpose with the mask; to the strides (the paper's point),
// ∂L/∂S_a = Σ_k ∂L/∂m_a(k)·∂m_a(k)/∂S_a with ∂L/∂m(k) = Re(Z_k·conj(G_k)), Z the cropped DFT of x over
// N_in, G the DFT of ∂L/∂y, and ∂m/∂S = −N/(2S²R) on the ramp (clamp ends included), 0 elsewhere
// and where N/(2S) ≤ 1. strides: [rank] (one per axis) or [1] (shared, the code's shared_stride).
// Where this differs from the authors' code (google-research/diffstride, TensorFlow rfft2d/irfft2d):
// positions are |k| on every axis (the code shifts negative vertical frequencies by one, adds 1 to the
// horizontal cut-off, and misplaces DC for odd heights); output sizes are odd (2c − 1, symmetric)
// where the code's are even; the DFT is divided by N_in so a constant stays constant (the code's
// output scales with N_in/out); the layer projects its strides into [N/(N − R), N/2] before each call
// (the code assigns the lower bound the same way, so the ramp never leaves the spectrum).
import { fail } from '../../errors.js';
import type { DataFormat, SpatialDims } from '../../geometry/layout.js';
import { kernel } from '../../kernels/backend.js';
import { spectralMaskBackward, type SpectralGeometry } from '../../kernels/reference/extra/spectral-pool.js';
import { full } from '../../tensor/create.js';
import type { Shape, Tensor } from '../../tensor/tensor.js';
import { checkParameterShape, layerChannels } from '../arguments.js';
import { dataFormatOption } from '../common-options.js';
import { runPoolSteps } from '../compute.js';
import { booleanOption, rankedOps, type LayerContext, type LayerSpec, type OpCall, type OpOptions } from '../kind.js';
import { standardKind } from '../kind-presets.js';
import {
  checkOutputSize,
  exportSpectral,
  realPerAxis,
  spectralGeometry,
  spectralInput,
  strideMask,
} from './spectral-geometry.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { spatial } from '../../formats/onnx/pool-nodes.js';

export interface DiffStridePoolOptions {
  /** Ramp width R of the mask, in frequency bins (default 4, the paper's). */
  smoothness?: number;
  /** A fixed crop per axis instead of the mask's support (so the shape does not follow the strides). */
  outputSize?: number | readonly number[];
  dataFormat?: DataFormat;
}

function smoothnessOf(op: string, options: OpOptions): number {
  const smoothness = options.smoothness ?? 4;
  if (typeof smoothness !== 'number' || !Number.isFinite(smoothness) || smoothness <= 0)
    fail(op, 'smoothness', 'must be a finite number above 0', smoothness);
  return smoothness;
}

/** The geometry at the strides' current values, and each axis's mask slope ∂m/∂S. */
function diffStrideGeometry(op: string, shape: Shape, rank: SpatialDims, strides: Float32Array, options: OpOptions) {
  const { format, inSizes } = spectralInput(op, shape, rank, options.dataFormat);
  const smoothness = smoothnessOf(op, options);
  const perAxis = inSizes.map((_, axis) => strides[strides.length === 1 ? 0 : axis]!);
  if (!perAxis.every((stride) => Number.isFinite(stride) && stride > 0))
    fail(op, 'strides', 'must hold finite numbers above 0', Array.from(strides));
  const masks = inSizes.map((size, axis) => strideMask(size, perAxis[axis]!, smoothness));
  const outSizes =
    options.outputSize === undefined
      ? masks.map((mask) => mask.support)
      : checkOutputSize(op, options.outputSize, inSizes);
  const geometry = spectralGeometry(
    op,
    shape,
    rank,
    outSizes,
    masks.map((mask) => mask.mask),
    format,
  );
  return { geometry, slopes: masks.map((mask) => mask.slope) };
}

/** ∂L/∂S per stride entry: each axis's mask gradient (spectralMaskBackward) times the mask's slope. */
function strideGradients(
  input: Tensor,
  gradOutput: Tensor,
  geometry: SpectralGeometry,
  slopes: Float64Array[],
  into: Float32Array,
) {
  const sizes = [geometry.inDepth, geometry.inHeight, geometry.inWidth];
  const gradMasks = sizes.map((size) => new Float64Array(size)) as [Float64Array, Float64Array, Float64Array];
  kernel('spectralMaskBackward')(input.values, gradOutput.values, gradMasks, geometry);
  into.fill(0);
  slopes.forEach((slope, index) => {
    const gradMask = gradMasks[3 - slopes.length + index]!;
    let gradient = 0;
    for (let bin = 0; bin < slope.length; bin++) gradient += gradMask[bin]! * slope[bin]!;
    into[into.length === 1 ? 0 : index]! += gradient;
  });
}

function computeDiffStride({ op, input, tensors, options, rank }: OpCall): Tensor {
  checkParameterShape(op, 'strides', tensors[0], [[rank], [1]]);
  const strides = tensors[0]!;
  const { geometry, slopes } = diffStrideGeometry(op, input.shape, rank, strides.values, options);
  return runPoolSteps(op, [input, strides], geometry.outputShape, {
    forward: ({ output }) => kernel('spectralPoolForward')(input.values, output.values, geometry),
    backward: ({ gradOutput, gradInputs: [gradInput, gradStrides] }) => {
      kernel('spectralPoolBackward')(gradOutput.values, gradInput!.values, geometry);
      if (strides.requiresGrad) strideGradients(input, gradOutput, geometry, slopes, gradStrides!.values);
      else gradStrides!.values.fill(0);
    },
  }).output;
}

/** The layer's input spatial sizes, which its strides' bounds and a fixed output need known. */
function layerSizes(context: LayerContext): number[] {
  const channelsLast = (context.options.dataFormat ?? 'channelsLast') === 'channelsLast';
  const sizes = context.inputShape.slice(channelsLast ? 1 : 2, (channelsLast ? 1 : 2) + context.rank);
  if (!sizes.every((size): size is number => typeof size === 'number'))
    fail(context.owner, 'input', 'must have known spatial sizes', context.inputShape);
  return sizes;
}

/** Bounds a layer keeps its strides in: [N/(N − R), N/2] per axis (the ramp stays inside the spectrum). */
function strideBounds(context: LayerContext): { lower: number[]; upper: number[] } {
  const smoothness = smoothnessOf(context.owner, context.options);
  const lower = layerSizes(context).map((size) => (size > smoothness ? size / (size - smoothness) : 1));
  const upper = layerSizes(context).map((size, axis) => Math.max(lower[axis]!, size / 2));
  if (!sharedStride(context)) return { lower, upper };
  const sharedLower = Math.max(...lower);
  return { lower: [sharedLower], upper: [Math.max(sharedLower, Math.min(...upper))] };
}

function sharedStride(context: LayerContext): boolean {
  return booleanOption(context.owner, 'sharedStride', context.options.sharedStride, false);
}

/** The initial strides, one per axis or one shared, projected into the layer's bounds. */
function initialStrides(context: LayerContext): number[] {
  const given = realPerAxis(context.owner, 'strides', context.options.initialStrides ?? 2, context.rank, 1);
  if (sharedStride(context) && given.some((stride) => stride !== given[0]))
    fail(context.owner, 'strides', 'must be one number with sharedStride', context.options.initialStrides);
  const { lower, upper } = strideBounds(context);
  return lower.map((bound, index) => Math.min(Math.max(given[index]!, bound), upper[index]!));
}

/** A fixed output (the default for a layer): the mask's support at the initial strides. */
function fixedOutputSize(context: LayerContext): number[] | null {
  if (!booleanOption(context.owner, 'fixedOutput', context.options.fixedOutput, true)) return null;
  const smoothness = smoothnessOf(context.owner, context.options);
  const strides = initialStrides(context);
  return layerSizes(context).map(
    (size, axis) => strideMask(size, strides[strides.length === 1 ? 0 : axis]!, smoothness).support,
  );
}

/** The strides a layer call would use: its weight projected into the layer's bounds (callArguments' rule). */
function projectedStrides(context: LayerContext, strides: Float32Array): Float32Array {
  const { lower, upper } = strideBounds(context);
  return strides.map((stride, index) => Math.min(Math.max(stride, lower[index]!), upper[index]!));
}

/**
 * At inference the strides are constants: the layer's geometry at its projected strides (masks and
 * crop fixed at export), then spectral pooling's per-axis matrices with the masks folded in.
 */
function exportDiffStride(call: OnnxExportCall) {
  const context: LayerContext = {
    owner: call.owner,
    inputShape: call.inputShape,
    rank: call.rank,
    options: call.options,
  };
  const strides = projectedStrides(context, call.weights[0]!.values);
  const outputSize = fixedOutputSize(context);
  const options = { ...call.options, ...(outputSize === null ? {} : { outputSize }) };
  const { geometry } = diffStrideGeometry(call.owner, call.inputShape, call.rank, strides, options);
  return spatial(exportSpectral(call, geometry));
}

const diffStrideLayer: Omit<LayerSpec, 'className' | 'keras' | 'seedConfig'> = {
  weights: {
    shapes: (context) => [{ name: 'strides', shape: [sharedStride(context) ? 1 : context.rank] }],
    initialize: (context) => {
      const strides = initialStrides(context);
      const weight = full([strides.length], 0);
      weight.values.set(strides);
      return [weight];
    },
  },
  callArguments: (context, _input, weights) => {
    // projected in place, as the paper's code assigns its bound
    weights[0]!.values.set(projectedStrides(context, weights[0]!.values));
    const outputSize = fixedOutputSize(context);
    const { smoothness, dataFormat } = context.options;
    return { tensors: weights, options: { smoothness, dataFormat, ...(outputSize === null ? {} : { outputSize }) } };
  },
  outputShape: (context) => {
    const sizes = fixedOutputSize(context) ?? Array<null>(context.rank).fill(null);
    const [batch, channels] = [context.inputShape[0]!, layerChannels(context)];
    const channelsLast = (context.options.dataFormat ?? 'channelsLast') === 'channelsLast';
    return channelsLast ? [batch, ...sizes, channels] : [batch, channels, ...sizes];
  },
};

export const diffStrideKind = standardKind({
  names: ['diffStride', 'learnableStride', 'learnedStride'],
  window: 'filter',
  op: 'diffStridePool{rank}d',
  // The wasm kernels apply the crop as per-axis complex matrices in f64 instead of FFTs: sums in
  // another order, ~1e-15 relative, so the f32 results differ by a rounding flip (2^-23) at most,
  // plus f64 noise under 1e-9 absolute where a bin's terms cancel (outputs that are 0 by symmetry).
  tolerance: { relative: 1e-6, absolute: 1e-9 },
  tensorArguments: ['strides'],
  options: [
    {
      name: 'smoothness',
      default: 4,
      inConfig: 'always',
      doc: 'Width R of the mask’s ramp in frequency bins (default 4, the paper’s).',
      field: { type: 'number', min: 0.5, step: 0.5, demo: 4 },
    },
    {
      name: 'outputSize',
      configName: null,
      doc: 'A fixed crop per axis instead of the mask’s support (layers: fixedOutput sets it).',
    },
    {
      name: 'initialStrides',
      configName: 'strides',
      layerOnly: true,
      default: 2,
      inConfig: 'always',
      doc: 'The strides the layer starts from: one number, or one per axis (default 2).',
      field: { type: 'pair', min: 1, demo: [2, 2] },
    },
    {
      name: 'sharedStride',
      layerOnly: true,
      default: false,
      inConfig: 'always',
      doc: 'One stride for every axis (weight [1]) instead of one per axis (weight [rank]).',
    },
    {
      name: 'fixedOutput',
      layerOnly: true,
      default: true,
      inConfig: 'always',
      doc: 'Keep the output grid of the initial strides (so Flatten → Dense can follow); false: the grid follows the learned strides (put a global pooling after it).',
    },
    dataFormatOption,
  ],
  docs: {
    label: 'DiffStride (learnable strides)',
    summary: 'Spectral pooling whose crop is a smooth mask set by a learnable real stride per axis.',
    formula: 'y = Re(IDFT(crop(⊗_a m_a · DFT(x))))/N, m(k) = clamp((R + max(N/2S, 1) − |k|)/R, 0, 1)',
    gradient: 'To x: the transposed masked crop; to S: Σ_k Re(Z_k·conj(G_k))·∂m/∂S, ∂m/∂S = −N/(2S²R) on the ramp.',
    source: 'Riad, Teboul, Grangier & Zeghidour, "Learning Strides in Convolutional Neural Networks", ICLR 2022',
  },
  kernels: { spectralMaskBackward },
  // Without the strides tensor the shape is the one at stride 2 (a layer's default); a layer's own
  // outputShape (below) uses its initial strides.
  outputShape: (op, shape, options, rank) => {
    const strides = new Float32Array(rank).fill(2);
    return diffStrideGeometry(op, shape, rank, strides, options).geometry.outputShape;
  },
  compute: computeDiffStride,
  layer: { seedConfig: { strides: 2 }, ...diffStrideLayer },
  onnx: { export: exportDiffStride },
});

/**
 * DiffStride over [batch, ...spatial, channels] (or channelsFirst) with `strides` [rank] or [1].
 * A layer's learned strides are its weight 'strides':
 * `layer.parameters.find((parameter) => parameter.name === 'strides')!.tensor.values`.
 * @example diffStridePool2d(x, tensor([2, 2]), { smoothness: 4 }) // 26x26 → 21x21 (support of the mask)
 */
export type DiffStridePoolOp = (input: Tensor, strides: Tensor, options: DiffStridePoolOptions) => Tensor;

export const [diffStridePool1d, diffStridePool2d, diffStridePool3d] = rankedOps(diffStrideKind).as<DiffStridePoolOp>();
