// LIP, local importance-based pooling: Gao, Wang & Wu, "LIP: Local Importance-Based Pooling",
// ICCV 2019.
//
// y = Σ x_i·e^{G(x)_i} / Σ e^{G(x)_j} over each window, with the logit module G of the paper's simple
// form: a learnable 1x1 convolution z = W·x + b (channels to channels, the conv2d op) followed by the
// paper's bounded activation, the soft gate G = λ·sigmoid(z) with λ = 12 (the authors' COEFF). The
// paper's SimplifiedLIP puts an affine InstanceNorm between the two (and a 3x3 convolution); this
// is the 1x1, norm-free variant, so b takes the norm's shift. Layers start W and b at zero, as the
// authors zero the logit convolution: G = λ/2 everywhere, which is average pooling, and learn from there.
// Semantics:
// - windows: poolGeometry's (padding, dilation, ceil mode); padded cells are not cells (the
//   authors' avg_pool(x·e^G)/avg_pool(e^G) cancels the divisor the same way);
// - weights are computed as e^{G_i − max G} (same ratios; G is bounded anyway);
// - an empty window outputs 0 and passes no gradient;
// - NaN and ±Infinity follow IEEE arithmetic through the convolution and the weighted mean: a
//   window holding NaN outputs NaN, one holding +Infinity (and no −Infinity) outputs +Infinity.
import { fail } from '../../errors.js';
import type { PoolOptions } from '../../geometry/pool-geometry.js';
import { kernel } from '../../kernels/backend.js';
import { lipPoolBackward, lipPoolForward, type LipGeometry } from '../../kernels/reference/extra/lip-pool.js';
import { conv2d } from '../../ops/nn/conv2d.js';
import { reshape } from '../../ops/nn/shape.js';
import { zeros } from '../../tensor/create.js';
import { tidy } from '../../tensor/scope.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkParameterShape, layerChannels, runWeightedWindow } from '../arguments.js';
import { windowGeometry, windowOptions } from '../common-options.js';
import { KEPT_CELL_PLANES, KEPT_PLANES, keptSpec } from './forward-keep.js';
import { rankedOps, type LayerWeights, type OpCall, type OpOptions } from '../kind.js';
import { slidingWindowKind } from '../kind-presets.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { scalar, spatial } from '../../formats/onnx/pool-nodes.js';
import { exportWindow, windowWeightedSum } from '../../formats/onnx/pool-window.js';
import { transposeValues } from '../../formats/onnx/layout.js';

export interface LipPoolOptions extends PoolOptions {
  /** λ of the soft gate G = λ·sigmoid(z); default 12 (the paper's). */
  coefficient?: number;
}

function coefficientOf(op: string, options: OpOptions): number {
  const coefficient = options.coefficient ?? 12;
  if (typeof coefficient !== 'number' || !Number.isFinite(coefficient) || coefficient < 0)
    fail(op, 'coefficient', 'must be a finite number of at least 0', coefficient);
  return coefficient;
}

/** z = W·x + b at every position: the conv2d op with a 1x1 filter on the input folded to 4-D. */
function logitMap(input: Tensor, logitKernel: Tensor, logitBias: Tensor, geometry: LipGeometry): Tensor {
  const { batch, channels, channelsLast } = geometry;
  const rows = geometry.inDepth * geometry.inHeight;
  const image = reshape(
    input,
    channelsLast ? [batch, rows, geometry.inWidth, channels] : [batch, channels, rows, geometry.inWidth],
  );
  const filter = reshape(logitKernel, [1, 1, channels, channels]);
  const logits = conv2d(image, filter, logitBias, { dataFormat: channelsLast ? 'channelsLast' : 'channelsFirst' });
  return reshape(logits, input.shape);
}

function computeLipPool(call: OpCall): Tensor {
  const { op, input, tensors, options } = call;
  const geometry: LipGeometry = { ...windowGeometry(call), coefficient: coefficientOf(op, options) };
  checkParameterShape(op, 'logitKernel', tensors[0], [[geometry.channels, geometry.channels]]);
  checkParameterShape(op, 'logitBias', tensors[1], [[geometry.channels]]);
  // The logits live as long as the output's graph needs them (tidy keeps a surviving graph).
  return tidy(() => {
    const logits = logitMap(input, tensors[0]!, tensors[1]!, geometry);
    const pair = { forward: () => kernel('lipPoolForward'), backward: () => kernel('lipPoolBackward') };
    const room = (windows: LipGeometry) => keptSpec(windows, KEPT_PLANES.lip, KEPT_CELL_PLANES.lip);
    return runWeightedWindow(op, input, logits, geometry, pair, room);
  });
}

/** The logit module's weights 'logit_kernel' [channels, channels] and 'logit_bias' [channels], zero at first. */
const lipWeights: LayerWeights = {
  shapes: (context) => {
    const channels = layerChannels(context);
    return [
      { name: 'logit_kernel', shape: [channels, channels] },
      { name: 'logit_bias', shape: [channels] },
    ];
  },
  initialize: (context) => lipWeights.shapes(context).map(({ shape }) => zeros(shape)),
};

/**
 * z = the 1x1 Conv of the logit kernel (transposed to ONNX's [out, in]) and bias, w = Exp(λ·Sigmoid(z)),
 * then Σ x·w / Σ w as window sums (depthwise Conv, padding reading 0); Σ w > 0 but in an empty window (0).
 */
function exportLipPool(call: OnnxExportCall) {
  const { graph, owner } = call;
  const apply = (opType: string, inputs: string[]) => graph.apply(opType, inputs, {}, owner);
  const { geometry, axes } = exportWindow(call);
  const channels = geometry.channels;
  const [logitKernel, logitBias] = call.weights as [Tensor, Tensor];
  const ones = Array<number>(call.rank).fill(1);
  const filter = graph.floats(
    `${owner}/logit_kernel`,
    transposeValues(logitKernel.values, [channels, channels], [1, 0]),
    [channels, channels, ...ones],
  );
  const bias = graph.floats(`${owner}/logit_bias`, logitBias.values, [channels]);
  const logits = graph.apply('Conv', [call.input, filter, bias], { kernel_shape: ones }, owner);
  const coefficient = scalar(call, 'coefficient', coefficientOf(owner, call.options));
  const weights = apply('Exp', [apply('Mul', [coefficient, apply('Sigmoid', [logits])])]);
  const total = windowWeightedSum(call, weights, axes, channels);
  const weighted = windowWeightedSum(call, apply('Mul', [call.input, weights]), axes, channels);
  const zero = scalar(call, 'zero', 0);
  return spatial(apply('Where', [apply('Equal', [total, zero]), zero, apply('Div', [weighted, total])]));
}

export const lipKind = slidingWindowKind({
  names: ['lip', 'localImportance'],
  layoutFree: true,
  op: 'lipPool{rank}d',
  tensorArguments: ['logitKernel', 'logitBias'],
  // The wasm kernels weigh in float32 with a 1-ulp SIMD e^x: each wᵢ and wᵢxᵢ carries ~2⁻²³ of
  // max|x|, so a mean that cancels (y near 0 from |x| up to 4) keeps it absolute, not relative, and
  // ∂/∂z multiplies y's error by up to λ/4·gradOutput (3·4 for the fuzzer's values) per window
  // holding the cell: 2·10⁻⁵ absolute.
  tolerance: { relative: 1e-5, absolute: 2e-5 },
  options: [
    ...windowOptions,
    {
      name: 'coefficient',
      default: 12,
      inConfig: 'always',
      doc: "λ of the logit's soft gate G = λ·sigmoid(W·x + b) (the paper's 12; 0 gives average pooling).",
      field: { type: 'number', min: 0, step: 1, demo: 12 },
    },
  ],
  docs: {
    label: 'Local importance pooling (LIP)',
    summary: 'Each window averaged with learned importance weights e^{G(x)} from a 1x1 convolution and a soft gate.',
    formula: 'y = Σ x_i·e^{G_i} / Σ e^{G_j} over the window, G = λ·sigmoid(W·x + b) (1x1 convolution), λ = 12',
    gradient:
      'w_i = e^{G_i}/Σ e^{G_j} to each cell directly, plus w_i·(x_i − y)·λσ(1 − σ) through the convolution to x, W and b.',
    source: 'Gao, Wang & Wu, ICCV 2019',
  },
  kernels: { lipPoolForward, lipPoolBackward },
  compute: computeLipPool,
  layer: {
    className: 'LIPPooling{rank}D',
    factory: 'lipPooling{rank}d',
    weights: lipWeights,
  },
  onnx: { export: exportLipPool },
});

/**
 * LIP with the logit module's 1x1 convolution: `logitKernel` [channels, channels] (input channel,
 * output channel, as Keras's 1x1 Conv2D kernel without its two unit axes) and `logitBias` [channels].
 * @example lipPool2d(x, zeros([c, c]), zeros([c]), { kernelSize: 3, stride: 2, padding: 1 }) // the paper's window
 */
export type LipPoolOp = (input: Tensor, logitKernel: Tensor, logitBias: Tensor, options: LipPoolOptions) => Tensor;

export const [lipPool1d, lipPool2d, lipPool3d] = rankedOps(lipKind).as<LipPoolOp>();
