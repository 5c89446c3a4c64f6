// A convolution followed by max pooling (and relu), reference: literally the reference kernels in
// turn, through a full-size convolution output (forward) and gradient (backward). The fast backend
// fuses them (src/kernels/wasm/train-conv-pool.ts) and must give these numbers; a backend without a
// fused kernel (webgpu) composes its own kernels the same way through convPoolThrough.
import type { Kernels, TrainKernels } from '../types.js';
import { conv2dBackwardFilter, conv2dForward } from './conv2d.js';
import { maxPoolBackward, maxPoolForward } from './max-pool.js';
import { reluBackward, reluForward } from './train-elementwise.js';

/** The kernels the composition runs in turn. */
export type ConvPoolParts = Pick<
  Kernels,
  'conv2dForward' | 'conv2dBackwardFilter' | 'maxPoolForward' | 'maxPoolBackward' | 'reluForward' | 'reluBackward'
>;

/** conv2dMaxPoolForward and conv2dMaxPoolBackwardFilter as `parts` in turn, through full-size arrays. */
export function convPoolThrough(
  parts: ConvPoolParts,
): Pick<TrainKernels, 'conv2dMaxPoolForward' | 'conv2dMaxPoolBackwardFilter'> {
  return {
    conv2dMaxPoolForward(input, filter, bias, output, argmax, conv, pool, relu = false) {
      const convOutput = new Float32Array(conv.batch * conv.outHeight * conv.outWidth * conv.outChannels);
      parts.conv2dForward(input, filter, bias, convOutput, conv);
      parts.maxPoolForward(convOutput, output, argmax, pool);
      if (relu) parts.reluForward(output, output);
    },
    conv2dMaxPoolBackwardFilter(input, gradOutput, argmax, gradFilter, gradBias, conv, pool, reluOutput = null) {
      let routed = gradOutput;
      if (reluOutput !== null) {
        routed = new Float32Array(gradOutput.length);
        parts.reluBackward(reluOutput, gradOutput, routed);
      }
      const gradConv = new Float32Array(conv.batch * conv.outHeight * conv.outWidth * conv.outChannels);
      parts.maxPoolBackward(routed, argmax, gradConv, pool);
      parts.conv2dBackwardFilter(input, gradConv, gradFilter, conv, gradBias);
    },
  };
}

export const { conv2dMaxPoolForward, conv2dMaxPoolBackwardFilter } = convPoolThrough({
  conv2dForward,
  conv2dBackwardFilter,
  maxPoolForward,
  maxPoolBackward,
  reluForward,
  reluBackward,
});
