// A convolution followed by max pooling (and relu), reference: literally the reference kernels in
// turn, through a full-size convolution output (forward) and gradient (backward). The fast backend
// fuses them (src/kernels/wasm/train-conv-pool.ts) and must give these numbers.
import type { ConvGeometry, TrainKernels } from '../types.js';
import { conv2dBackwardFilter, conv2dForward } from './conv2d.js';
import { maxPoolBackward, maxPoolForward } from './max-pool.js';
import { reluBackward, reluForward } from './train-elementwise.js';

const convOutputSize = (conv: ConvGeometry): number => conv.batch * conv.outHeight * conv.outWidth * conv.outChannels;

export const conv2dMaxPoolForward: TrainKernels['conv2dMaxPoolForward'] = (
  input,
  filter,
  bias,
  output,
  argmax,
  conv,
  pool,
  relu = false,
) => {
  const convOutput = new Float32Array(convOutputSize(conv));
  conv2dForward(input, filter, bias, convOutput, conv);
  maxPoolForward(convOutput, output, argmax, pool);
  if (relu) reluForward(output, output);
};

export const conv2dMaxPoolBackwardFilter: TrainKernels['conv2dMaxPoolBackwardFilter'] = (
  input,
  gradOutput,
  argmax,
  gradFilter,
  gradBias,
  conv,
  pool,
  reluOutput = null,
) => {
  let routed = gradOutput;
  if (reluOutput !== null) {
    routed = new Float32Array(gradOutput.length);
    reluBackward(reluOutput, gradOutput, routed);
  }
  const gradConv = new Float32Array(convOutputSize(conv));
  maxPoolBackward(routed, argmax, gradConv, pool);
  conv2dBackwardFilter(input, gradConv, gradFilter, conv, gradBias);
};
