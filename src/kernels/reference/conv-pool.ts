// A convolution followed by max pooling, reference: literally the two reference kernels in turn,
// through a full-size convolution output (forward) and gradient (backward). The fast backend fuses
// them (src/kernels/wasm/train-conv-pool.ts) and must give these numbers.
import type { PoolGeometry } from '../../geometry/pool-geometry.js';
import type { ConvGeometry } from '../types.js';
import { conv2dBackwardFilter, conv2dForward } from './conv2d.js';
import { maxPoolBackward, maxPoolForward } from './max-pool.js';

const convOutputSize = (conv: ConvGeometry): number => conv.batch * conv.outHeight * conv.outWidth * conv.outChannels;

export function conv2dMaxPoolForward(
  input: Float32Array,
  filter: Float32Array,
  bias: Float32Array | null,
  output: Float32Array,
  argmax: Int32Array,
  conv: ConvGeometry,
  pool: PoolGeometry,
): void {
  const convOutput = new Float32Array(convOutputSize(conv));
  conv2dForward(input, filter, bias, convOutput, conv);
  maxPoolForward(convOutput, output, argmax, pool);
}

export function conv2dMaxPoolBackwardFilter(
  input: Float32Array,
  gradOutput: Float32Array,
  argmax: Int32Array,
  gradFilter: Float32Array,
  gradBias: Float32Array | null,
  conv: ConvGeometry,
  pool: PoolGeometry,
): void {
  const gradConv = new Float32Array(convOutputSize(conv));
  maxPoolBackward(gradOutput, argmax, gradConv, pool);
  conv2dBackwardFilter(input, gradConv, gradFilter, conv, gradBias);
}
