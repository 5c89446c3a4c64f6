// Global pooling's shared parts: the rank from the input, the adaptive geometry to size 1 and the
// output shape (keepDims), and the masked pooling over the real steps of 1D input with its layer call.
import { adaptiveGeometry } from '../geometry/adaptive-geometry.js';
import { checkDataFormat, type DataFormat, type SpatialDims } from '../geometry/layout.js';
import { fail } from '../errors.js';
import { reshape, transpose } from '../ops/nn/shape.js';
import { Tensor, type Shape } from '../tensor/tensor.js';
import type { LayerCall, LayerContext, OpCall, OpOptions } from './kind.js';
import { maskedKind } from './kinds/masked.js';

export interface GlobalPoolOptions {
  /** 'channelsLast' (the default) or 'channelsFirst'. */
  dataFormat?: DataFormat;
  /** Keep the spatial axes as size 1 instead of returning [batch, channels]. */
  keepDims?: boolean;
  /** 1D only: [batch, steps] of 1 (a real step) and 0 (padding); padded steps never count (Keras's masks). */
  mask?: Tensor;
}

/**
 * Global max or average pooling over the real steps of 1D input, as Keras's GlobalMax/AveragePooling1D
 * with a mask: masked pooling over steps (masked.ts), then the layout and keepDims of global pooling.
 * A sequence with no real step gives 0 (Keras's average gives NaN there).
 */
export function maskedGlobalPool(call: OpCall, mode: 'max' | 'average'): Tensor {
  const { op, input, options } = call;
  const { spatialDims, dataFormat, outputShape } = globalSetUp(op, input.shape, options);
  if (spatialDims !== 1)
    fail(op, 'mask', 'is for 1D input [batch, steps, features] only', `shape [${input.shape.join(', ')}]`);
  const channelsFirst = dataFormat === 'channelsFirst';
  const steps = channelsFirst ? transpose(input, [0, 2, 1]) : input;
  // The masked kind's work under this op's name: its errors (a bad mask) name the op called.
  const pooled = maskedKind.compute({ op, input: steps, tensors: [], options: { mask: options.mask, mode }, rank: 1 });
  return pooled.shape.length === outputShape.length ? pooled : reshape(pooled, outputShape);
}

/** A global layer over steps passes on the mask an earlier layer (Embedding, Masking) made. */
export function globalCallArguments(
  context: LayerContext,
  _input: Tensor,
  weights: readonly Tensor[],
  call: LayerCall,
) {
  const { dataFormat, keepDims } = context.options;
  const mask = context.rank === 1 && call.mask ? { mask: call.mask } : {};
  return { tensors: weights, options: { dataFormat, keepDims, ...mask } };
}

/** Checks the input's rank and the options; the adaptive geometry to size 1 and the output shape. */
export function globalSetUp(op: string, inputShape: Shape, options: OpOptions) {
  const dataFormat = checkDataFormat(op, options.dataFormat);
  const keepDims = options.keepDims ?? false;
  if (typeof keepDims !== 'boolean') fail(op, 'keepDims', 'must be a boolean', keepDims);
  if (inputShape.length < 3 || inputShape.length > 5) {
    const rule = 'must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial axes)';
    fail(op, 'input', rule, `shape [${inputShape.join(', ')}]`);
  }
  const spatialDims = (inputShape.length - 2) as SpatialDims;
  const geometry = adaptiveGeometry(op, inputShape, spatialDims, 1, dataFormat); // checks spatial sizes >= 1
  const outputShape = keepDims ? geometry.outputShape : [geometry.batch, geometry.channels];
  return { spatialDims, dataFormat, geometry, outputShape };
}

/** The spatial rank a global op works at: from the input (an invalid one is refused by globalSetUp). */
export function globalRank(input: unknown): SpatialDims {
  const rank = input instanceof Tensor ? input.rank - 2 : 1;
  return (rank >= 1 && rank <= 3 ? rank : 1) as SpatialDims;
}
