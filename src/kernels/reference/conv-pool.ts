// A convolution followed by max pooling (and relu), reference: literally the reference kernels in
// turn, through a full-size convolution output (forward) and gradient (backward). The fast backend
// fuses them (src/kernels/wasm/train-conv-pool.ts) and must give these numbers.
import type { PoolGeometry } from '../../geometry/pool-geometry.js';
import type { ConvGeometry } from '../types.js';
import { conv2dBackwardFilter, conv2dForward } from './conv2d.js';
import { maxPoolBackward, maxPoolForward } from './max-pool.js';
import { reluBackward, reluForward } from './train-elementwise.js';

const convOutputSize = (conv: ConvGeometry): number => conv.batch * conv.outHeight * conv.outWidth * conv.outChannels;

export function conv2dMaxPoolForward(
  input: Float32Array,
  filter: Float32Array,
  bias: Float32Array | null,
  output: Float32Array,
  argmax: Int32Array,
  conv: ConvGeometry,
  pool: PoolGeometry,
  relu = false,
): void {
  const convOutput = new Float32Array(convOutputSize(conv));
  conv2dForward(input, filter, bias, convOutput, conv);
  maxPoolForward(convOutput, output, argmax, pool);
  if (relu) reluForward(output, output);
}

export function conv2dMaxPoolBackwardFilter(
  input: Float32Array,
  gradOutput: Float32Array,
  argmax: Int32Array,
  gradFilter: Float32Array,
  gradBias: Float32Array | null,
  conv: ConvGeometry,
  pool: PoolGeometry,
  reluOutput: Float32Array | null = null,
): void {
  let routed = gradOutput;
  if (reluOutput !== null) {
    routed = new Float32Array(gradOutput.length);
    reluBackward(reluOutput, gradOutput, routed);
  }
  const gradConv = new Float32Array(convOutputSize(conv));
  maxPoolBackward(routed, argmax, gradConv, pool);
  conv2dBackwardFilter(input, gradConv, gradFilter, conv, gradBias);
}
