// conv2dMaxPool2d: maxPool2d(conv2d(input, filter, bias), pool), then relu when asked, as one op with
// the same numbers, indices and gradients as the ops in turn. It exists for speed: the backends run
// it as one kernel pair (conv2dMaxPoolForward / conv2dMaxPoolBackwardFilter), which on the wasm
// backend never writes the full-size convolution output nor its full-size gradient for the seed
// CNN's shapes, and applies the relu and its gradient mask inside the same passes.
// Sequential models use it for every Conv2D (linear or relu) followed by MaxPooling2D (nn/forward.ts);
// conv2d-select-pool.ts shares its checks and its backward for the kinds that pick one cell per window.
import { recordGrad } from '../../autograd/tape.js';
import { fail } from '../../errors.js';
import { checkDataFormat } from '../../geometry/layout.js';
import { poolGeometry, type PoolGeometry, type PoolOptions } from '../../geometry/pool-geometry.js';
import { kernel } from '../../kernels/backend.js';
import type { ConvGeometry } from '../../kernels/types.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkConvolutionTensors, checkKnownOptions, checkOptions, optionKeys } from '../checks.js';
import { CONV2D_OPTION_KEYS, convGeometry, type Conv2dOptions } from './conv2d.js';

const OP = 'conv2dMaxPool2d';
const POOL_KEYS = optionKeys<PoolOptions>({
  kernelSize: true,
  stride: true,
  padding: true,
  dilation: true,
  ceilMode: true,
  dataFormat: true,
});

/**
 * maxPool2d(conv2d(input, filter, bias, conv), pool), NHWC only. With `conv.activation: 'relu'` the
 * pooled output goes through relu: relu commutes with max pooling (it is monotone, keeps NaN, and
 * routes the gradient to the same cell or to none), so this equals pooling the relu'd convolution.
 * @example conv2dMaxPool2d(x, filter, bias, { activation: 'relu' }, { kernelSize: 2 }) // the seed CNN's Conv2D → MaxPooling2D
 */
export function conv2dMaxPool2d(
  input: Tensor,
  filter: Tensor,
  bias: Tensor | null,
  conv: Conv2dOptions | undefined,
  pool: PoolOptions,
): Tensor {
  const { convShape, relu } = checkedConvolution(OP, input, filter, bias, conv);
  const poolOptions = checkOptions(OP, pool, true);
  checkKnownOptions(`${OP} (pool options)`, poolOptions, POOL_KEYS);
  if (checkDataFormat(OP, poolOptions.dataFormat) !== 'channelsLast')
    fail(OP, 'pool.dataFormat', "must be 'channelsLast'", poolOptions.dataFormat);
  const poolShape = poolGeometry(OP, convShape.outputShape, 2, poolOptions);
  const output = Tensor.allocate(poolShape.outputShape, 'float32', [input, filter, bias]);
  const argmax = Tensor.allocate(poolShape.outputShape, 'int32', [input, filter, bias]);
  kernel('conv2dMaxPoolForward')(
    input.kernelValues,
    filter.kernelValues,
    bias?.kernelValues ?? null,
    output.kernelValues,
    argmax.kernelIntValues,
    convShape,
    poolShape,
    relu,
  );
  return recordRoutedGradient(OP, { input, filter, bias, output, chosen: argmax }, convShape, poolShape, relu);
}

/** The convolution's options of op `op`, checked (NHWC, linear or relu), its geometry and whether it ends in relu. */
export function checkedConvolution(
  op: string,
  input: Tensor,
  filter: Tensor,
  bias: Tensor | null,
  conv: Conv2dOptions | undefined,
): { convShape: ConvGeometry; relu: boolean } {
  checkConvolutionTensors(op, input, filter, bias);
  const convOptions = checkOptions(op, conv, false) as Conv2dOptions;
  checkKnownOptions(`${op} (conv options)`, convOptions, CONV2D_OPTION_KEYS);
  const activation = convOptions.activation ?? 'linear';
  if (activation !== 'linear' && activation !== 'relu')
    fail(op, 'conv.activation', "must be 'linear' or 'relu'", convOptions.activation);
  if (checkDataFormat(op, convOptions.dataFormat) !== 'channelsLast')
    fail(op, 'conv.dataFormat', "must be 'channelsLast'", convOptions.dataFormat);
  const convShape = convGeometry(op, input.shape, filter.shape, convOptions);
  if (bias !== null && (bias.rank !== 1 || bias.size !== convShape.outChannels)) {
    fail(op, 'bias', `must have shape [${convShape.outChannels}]`, `shape [${bias.shape.join(', ')}]`);
  }
  return { convShape, relu: activation === 'relu' };
}

/** A convolution pooled to one cell per window: its tensors, and each window's cell (flat spatial indices). */
export interface RoutedConvolution {
  readonly input: Tensor;
  readonly filter: Tensor;
  readonly bias: Tensor | null;
  readonly output: Tensor;
  readonly chosen: Tensor;
}

/**
 * Records the backward of `output`, the convolution's (relu'd, when `relu`) value at each window's
 * chosen cell: relu's mask is output > 0 (relu(x) > 0 exactly where x > 0), the gradient goes to the
 * chosen cells, then through the convolution, in the kernel pair's one pass where the backend can.
 * Returns `output`; `chosen` is kept for the backward, or disposed when nothing is recorded.
 */
export function recordRoutedGradient(
  op: string,
  tensors: RoutedConvolution,
  convShape: ConvGeometry,
  poolShape: PoolGeometry,
  relu: boolean,
): Tensor {
  const { input, filter, bias, output, chosen } = tensors;
  const reluOutput = relu ? output : null;
  const inputs = bias === null ? [input, filter] : [input, filter, bias];
  recordGrad(
    op,
    output,
    inputs,
    (gradOutput) => {
      const gradInput = input.requiresGrad
        ? gradThroughPool(gradOutput, reluOutput, chosen, filter, input, convShape, poolShape)
        : null;
      const gradBias = bias?.requiresGrad ? Tensor.allocate(bias.shape, 'float32', [bias, gradOutput]) : null;
      let gradFilter: Tensor | null = null;
      if (filter.requiresGrad || gradBias !== null) {
        gradFilter = Tensor.allocate(filter.shape, 'float32', [filter, gradOutput]);
        kernel('conv2dMaxPoolBackwardFilter')(
          input.kernelValues,
          gradOutput.kernelValues,
          chosen.kernelIntValues,
          gradFilter.kernelValues,
          gradBias?.kernelValues ?? null,
          convShape,
          poolShape,
          reluOutput?.kernelValues ?? null,
        );
        if (!filter.requiresGrad) gradFilter = (gradFilter.dispose(), null);
      }
      const grads = [gradInput, gradFilter];
      return bias === null ? grads : [...grads, gradBias];
    },
    [chosen],
  );
  if (!output.requiresGrad) chosen.dispose();
  return output;
}

/** The input gradient: relu's mask (when it ran), the pool's backward into a full-size gradient, then the convolution's. */
function gradThroughPool(
  gradOutput: Tensor,
  reluOutput: Tensor | null,
  argmax: Tensor,
  filter: Tensor,
  input: Tensor,
  convShape: ConvGeometry,
  poolShape: PoolGeometry,
): Tensor {
  let routed = gradOutput;
  if (reluOutput !== null) {
    routed = Tensor.allocate(gradOutput.shape);
    kernel('reluBackward')(reluOutput.kernelValues, gradOutput.kernelValues, routed.values);
  }
  const gradConv = Tensor.allocate(convShape.outputShape);
  kernel('maxPoolBackward')(routed.kernelValues, argmax.kernelIntValues, gradConv.values, poolShape);
  if (routed !== gradOutput) routed.dispose();
  const gradInput = Tensor.allocate(input.shape);
  gradInput.values.fill(0);
  kernel('conv2dBackwardInput')(gradConv.values, filter.kernelValues, gradInput.values, convShape);
  gradConv.dispose();
  return gradInput;
}
