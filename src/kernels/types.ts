// The typed kernel table: every kernel a backend may provide, by name. Kernels take typed arrays
// (views into the shared heap) and a geometry struct; they write their outputs and return nothing.
import type { PoolGeometry } from '../geometry/pool-geometry.js';
import type { RegisteredKind } from '../pooling/registry.js';

/** How an average divides: PyTorch's count_include_pad and divisor_override. */
export interface AverageDivisor {
  /** Count padded positions (not ceil-mode overhang) in the divisor. */
  readonly countIncludePad: boolean;
  /** Divide by this instead, when set. */
  readonly divisorOverride: number | null;
}

/**
 * Where a scatter or gather by argmax goes: per (batch, channel) plane, `argmax` holds a flat
 * spatial index (d·H·W + h·W + w) into the larger side, as PyTorch's return_indices does.
 */
export interface ArgmaxPlanes {
  readonly channelsLast: boolean;
  readonly batch: number;
  readonly channels: number;
  /** Spatial cells per plane on the side `argmax` indexes into (the pooling input). */
  readonly largeSpatial: number;
  /** Spatial cells per plane on the side `argmax` has one entry per cell of (the pooling output). */
  readonly smallSpatial: number;
}

type Intersect<U> = (U extends unknown ? (union: U) => void : never) extends (both: infer I) => void ? I : never;

/**
 * Every pooling kernel by name: the union of each kind's reference kernels (src/pooling/kinds/),
 * whose doc comments state what each computes. A backend implements any subset of them.
 */
export type PoolingKernels = Intersect<RegisteredKind['kernels']>;

/** The window-reduction kernels the WebAssembly pool module implements. */
export type PoolKernels = Pick<
  PoolingKernels,
  | 'maxPoolForward'
  | 'maxPoolBackward'
  | 'avgPoolForward'
  | 'avgPoolBackward'
  | 'lpPoolForward'
  | 'lpPoolBackward'
  | 'adaptiveMaxPoolForward'
  | 'adaptiveAvgPoolForward'
  | 'adaptiveAvgPoolBackward'
  | 'argmaxScatterAdd'
  | 'argmaxScatter'
  | 'argmaxGather'
>;

export interface MatmulOptions {
  /** Rows of op(a) and of out. */
  readonly m: number;
  /** Columns of op(a), rows of op(b). */
  readonly k: number;
  /** Columns of op(b) and of out. */
  readonly n: number;
  /** a is stored [k, m] and used transposed. */
  readonly transposeA: boolean;
  /** b is stored [n, k] and used transposed. */
  readonly transposeB: boolean;
  /** out += op(a)·op(b) instead of out = op(a)·op(b). */
  readonly accumulate: boolean;
}

/**
 * 2D convolution sizes: the pooling geometry of the filter window (spatialDims 2, depth 1) plus the
 * output channel count. Input NHWC [batch, inHeight, inWidth, channels]; filter HWIO
 * [kernelHeight, kernelWidth, channels, outChannels] as Keras stores it; output NHWC.
 */
export interface ConvGeometry extends PoolGeometry {
  readonly outChannels: number;
}

export interface TrainKernels {
  /** Row-major single-precision matrix product. */
  matmul(a: Float32Array, b: Float32Array, out: Float32Array, options: MatmulOptions): void;
  /** With `relu`, output = reluForward(conv + bias), fused where the backend can. */
  conv2dForward(
    input: Float32Array,
    filter: Float32Array,
    bias: Float32Array | null,
    output: Float32Array,
    geometry: ConvGeometry,
    relu?: boolean,
  ): void;
  conv2dBackwardInput(
    gradOutput: Float32Array,
    filter: Float32Array,
    gradInput: Float32Array,
    geometry: ConvGeometry,
  ): void;
  /**
   * gradFilter, and gradBias = Σ gradOutput over pixels when given (one pass over gradOutput). With
   * `reluOutput` (a fused relu's output), gradOutput is first masked as reluBackward(reluOutput, gradOutput).
   */
  conv2dBackwardFilter(
    input: Float32Array,
    gradOutput: Float32Array,
    gradFilter: Float32Array,
    geometry: ConvGeometry,
    gradBias?: Float32Array | null,
    reluOutput?: Float32Array | null,
  ): void;
  /**
   * conv2dForward (no activation) into the convolution output, then maxPoolForward of that with
   * `pool` into `output` and `argmax` (flat indices in the convolution's output plane), then
   * reluForward of `output` in place when `relu`, in one pass where the backend can: the full-size
   * convolution output is not kept. `pool.inputShape` is `conv.outputShape`; both NHWC.
   */
  conv2dMaxPoolForward(
    input: Float32Array,
    filter: Float32Array,
    bias: Float32Array | null,
    output: Float32Array,
    argmax: Int32Array,
    conv: ConvGeometry,
    pool: PoolGeometry,
    relu?: boolean,
  ): void;
  /**
   * conv2dBackwardFilter (with gradBias when given) of the convolution gradient that maxPoolBackward
   * routes from the pooled `gradOutput` (masked first by reluBackward with `reluOutput`, the pooled
   * output, when given) through `argmax`, without making that full-size gradient where the backend can.
   */
  conv2dMaxPoolBackwardFilter(
    input: Float32Array,
    gradOutput: Float32Array,
    argmax: Int32Array,
    gradFilter: Float32Array,
    gradBias: Float32Array | null,
    conv: ConvGeometry,
    pool: PoolGeometry,
    reluOutput?: Float32Array | null,
  ): void;
  /** Keras's Adam step in place over values, m and v (see AdamStep). */
  adamUpdate(
    values: Float32Array,
    grad: Float32Array,
    firstMoment: Float32Array,
    secondMoment: Float32Array,
    step: AdamStep,
  ): void;
  /** Keras's SGD step in place over values and velocity (see SgdStep). */
  sgdUpdate(values: Float32Array, grad: Float32Array, velocity: Float32Array, step: SgdStep): void;
  /** output = input < 0 ? 0 : input (NaN and −0 pass through). */
  reluForward(input: Float32Array, output: Float32Array): void;
  /** gradInput = output > 0 ? gradOutput : 0, from relu's saved output. */
  reluBackward(output: Float32Array, gradOutput: Float32Array, gradInput: Float32Array): void;
}

/** Adam's per-step constants: stepRate = lr·√(1 − β2^t) / (1 − β1^t), blends 1 − β1 and 1 − β2. */
export interface AdamStep {
  readonly stepRate: number;
  readonly firstBlend: number;
  readonly secondBlend: number;
  readonly epsilon: number;
}

export interface SgdStep {
  readonly learningRate: number;
  readonly momentum: number;
  readonly nesterov: boolean;
}

/** Rows of a [rows, classes] matrix of logits, for the softmax cross-entropy kernels. */
export interface SoftmaxRows {
  readonly rows: number;
  readonly classes: number;
}

/** The loss kernels: sparse softmax cross-entropy from logits (reference/softmax-loss.ts states them). */
export interface LossKernels {
  /** logProbabilities = log softmax per row; loss[0] = mean over rows of −logProbabilities[label]. */
  sparseSoftmaxCrossEntropyForward(
    logits: Float32Array,
    labels: Float32Array | Int32Array,
    logProbabilities: Float32Array,
    loss: Float32Array,
    shape: SoftmaxRows,
  ): void;
  /** gradLogits = (e^logProbabilities − onehot(labels)) · scale. */
  sparseSoftmaxCrossEntropyBackward(
    logProbabilities: Float32Array,
    labels: Float32Array | Int32Array,
    gradLogits: Float32Array,
    scale: number,
    shape: SoftmaxRows,
  ): void;
}

/** Rows × columns of a row-major matrix. */
export interface MatrixShape {
  readonly rows: number;
  readonly columns: number;
}

/** Rows order[start .. start + count) (or start .. start + count without an order) of rows of `rowSize` elements. */
export interface RowGather {
  readonly start: number;
  readonly count: number;
  readonly rowSize: number;
}

/**
 * The kernels of a training step's bookkeeping, so that a step on the GPU reads back only its loss
 * (reference/step-kernels.ts states them): the accuracy count, a batch's rows, a bias, softmax.
 */
export interface StepKernels {
  /**
   * counts[0] = rows whose prediction (the first largest value; NaN never wins, but a NaN in column 0
   * is never beaten) equals the label; counts[1] = previous[1] + counts[0] (a running count).
   */
  argmaxCompare(
    predictions: Float32Array,
    labels: Float32Array | Int32Array,
    previous: Int32Array,
    counts: Int32Array,
    shape: SoftmaxRows,
  ): void;
  /** output's rows = source's rows order[start + r] (start + r when order is null), bits copied. */
  gatherRows(
    source: Float32Array | Int32Array,
    order: Int32Array | null,
    output: Float32Array | Int32Array,
    gather: RowGather,
  ): void;
  /** values[r, c] += bias[c] (float32; NaN as IEEE). */
  biasAdd(values: Float32Array, bias: Float32Array, shape: MatrixShape): void;
  /** sums[c] = Σ over rows of matrix[r, c], in row order. */
  columnSum(matrix: Float32Array, sums: Float32Array, shape: MatrixShape): void;
  /** output = softmax of each row (softmaxRows: NaN or +Infinity in a row, or only −Infinity, make it NaN). */
  softmaxForward(input: Float32Array, output: Float32Array, shape: SoftmaxRows): void;
  /** gradInput = y ⊙ (g − Σ g·y) per row, from softmax's saved output y (softmaxGradRow). */
  softmaxBackward(output: Float32Array, gradOutput: Float32Array, gradInput: Float32Array, shape: SoftmaxRows): void;
  /** sum = left + right, elementwise (float32). */
  addForward(left: Float32Array, right: Float32Array, sum: Float32Array): void;
  /** output = 1 / (1 + e^-input). */
  sigmoidForward(input: Float32Array, output: Float32Array): void;
  /** gradInput = gradOutput · y · (1 − y), from sigmoid's saved output y. */
  sigmoidBackward(output: Float32Array, gradOutput: Float32Array, gradInput: Float32Array): void;
  /** output = tanh(input). */
  tanhForward(input: Float32Array, output: Float32Array): void;
  /** gradInput = gradOutput · (1 − y²), from tanh's saved output y. */
  tanhBackward(output: Float32Array, gradOutput: Float32Array, gradInput: Float32Array): void;
}

/** RMSprop's per-step constants (Keras's update; the slots it keeps are given or null). */
export interface RmspropStep {
  readonly learningRate: number;
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
}

/** Adagrad's per-step constants. */
export interface AdagradStep {
  readonly learningRate: number;
  readonly epsilon: number;
}

/** The updates of the optimizers besides Adam and SGD, in place (reference/update-kernels.ts states them). */
export interface UpdateKernels {
  /** Keras's RMSprop step over values and velocity, and momentum and averageGradient where kept (centered). */
  rmspropUpdate(
    values: Float32Array,
    grad: Float32Array,
    velocity: Float32Array,
    momentum: Float32Array | null,
    averageGradient: Float32Array | null,
    step: RmspropStep,
  ): void;
  /** Keras's Adagrad step over values and the accumulator. */
  adagradUpdate(values: Float32Array, grad: Float32Array, accumulator: Float32Array, step: AdagradStep): void;
}

/** A batched 2D transpose: `batch` row-major planes of [rows, columns] become planes of [columns, rows]. */
export interface PlaneTranspose {
  readonly batch: number;
  readonly rows: number;
  readonly columns: number;
}

/** The layout kernels: `transpose`'s permutations that are batched 2D transposes (NCHW ↔ NHWC). */
export interface LayoutKernels {
  /** target[b, c, r] = source[b, r, c]: 32-bit words moved as bits (NaN payloads, −0 kept). */
  transposePlanes(source: Float32Array | Int32Array, target: Float32Array | Int32Array, planes: PlaneTranspose): void;
}

export type Kernels = PoolingKernels & TrainKernels & LossKernels & StepKernels & UpdateKernels & LayoutKernels;
export type KernelName = keyof Kernels;
