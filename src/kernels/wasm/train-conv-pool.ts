// A convolution followed by max pooling on the wasm backend. The seed CNN's case (a direct
// convolution, then a 2x2 stride-2 VALID max pool, NHWC) runs fused (assembly/train/conv-pool.ts):
// the forward never writes the full-size convolution output and the filter gradient never reads a
// full-size gradient, a quarter of the memory traffic. Every other case runs the two wasm kernels in
// turn through a full-size buffer, as the reference does.
import type { PoolGeometry } from '../../geometry/pool-geometry.js';
import { heap } from '../../tensor/heap.js';
import type { ConvGeometry, PoolKernels, TrainKernels } from '../types.js';
import type { KernelModule } from './loader.js';
import { addressOf } from './pool-arguments.js';
import { parallelFor } from './threads.js';
import {
  POOL_ARGMAX_WORD,
  POOL_HEIGHT_WORD,
  POOL_OUTPUT_WORD,
  POOL_WIDTH_WORD,
  conv2dBackwardFilterDirect,
  directConvApplies,
  writeDirectConvolution,
} from './train-direct.js';

/** The fused kernels' case: a direct convolution and a 2x2 stride-2 max pool with no padding or dilation. */
export function fusedConvPoolApplies(conv: ConvGeometry, pool: PoolGeometry): boolean {
  return (
    directConvApplies(conv) &&
    pool.spatialDims === 2 &&
    pool.channelsLast &&
    pool.kernelHeight === 2 &&
    pool.kernelWidth === 2 &&
    pool.strideHeight === 2 &&
    pool.strideWidth === 2 &&
    pool.dilationHeight === 1 &&
    pool.dilationWidth === 1 &&
    pool.padTop + pool.padBottom + pool.padLeft + pool.padRight === 0 &&
    pool.outHeight === Math.floor(conv.outHeight / 2) &&
    pool.outWidth === Math.floor(conv.outWidth / 2)
  );
}

const convOutputSize = (conv: ConvGeometry): number => conv.batch * conv.outHeight * conv.outWidth * conv.outChannels;

/** A Float32Array or Int32Array over the same heap bytes, renewed after an alloc that may have grown (and, unshared, detached) the memory. */
function renewed<View extends Float32Array | Int32Array>(view: View, address: number, length: number): View {
  if (view.length === length) return view;
  const Type = view instanceof Int32Array ? Int32Array : Float32Array;
  return new Type(heap.memory.buffer, address, length) as View;
}

/** Runs `use` with a heap buffer of `floats` floats, freed after. */
function withConvBuffer(floats: number, use: (buffer: Float32Array) => void): void {
  const offset = heap.alloc(4 * floats);
  try {
    use(new Float32Array(heap.memory.buffer, offset, floats));
  } finally {
    heap.free(offset, 4 * floats);
  }
}

export function createConvPoolKernels(
  train: KernelModule,
  trainKernels: Pick<TrainKernels, 'conv2dForward' | 'conv2dBackwardFilter'>,
  poolKernels: Pick<PoolKernels, 'maxPoolForward' | 'maxPoolBackward'>,
): Pick<TrainKernels, 'conv2dMaxPoolForward' | 'conv2dMaxPoolBackwardFilter'> {
  return {
    conv2dMaxPoolForward(input, filter, bias, output, argmax, conv, pool) {
      if (fusedConvPoolApplies(conv, pool)) {
        const words = writeDirectConvolution(train, input, filter, bias, null, conv, false);
        words[POOL_OUTPUT_WORD] = addressOf(output);
        words[POOL_ARGMAX_WORD] = addressOf(argmax);
        words[POOL_HEIGHT_WORD] = pool.outHeight;
        words[POOL_WIDTH_WORD] = pool.outWidth;
        const pixels = conv.batch * conv.outHeight * conv.outWidth;
        const k = conv.kernelHeight * conv.kernelWidth * conv.channels;
        const work = 4 * (pixels * k + output.length * 2) + pixels * k * conv.outChannels;
        parallelFor(train, 'convPoolForwardDirect', conv.batch * pool.outHeight, work);
        return;
      }
      const lengths = [input.length, filter.length, bias?.length ?? 0, output.length, argmax.length];
      const addresses = [input, filter, bias, output, argmax].map(addressOf);
      withConvBuffer(convOutputSize(conv), (convOutput) => {
        const [x, f, b, o] = [input, filter, bias ?? new Float32Array(0), output].map((view, index) =>
          renewed(view, addresses[index]!, lengths[index]!),
        );
        trainKernels.conv2dForward(x!, f!, bias === null ? null : b!, convOutput, conv);
        poolKernels.maxPoolForward(convOutput, o!, renewed(argmax, addresses[4]!, lengths[4]!), pool);
      });
    },
    conv2dMaxPoolBackwardFilter(input, gradOutput, argmax, gradFilter, gradBias, conv, pool) {
      if (fusedConvPoolApplies(conv, pool)) {
        conv2dBackwardFilterDirect(train, input, gradOutput, gradFilter, gradBias, conv, null, {
          argmax,
          outHeight: pool.outHeight,
          outWidth: pool.outWidth,
        });
        return;
      }
      const lengths = [input.length, gradOutput.length, gradFilter.length, gradBias?.length ?? 0, argmax.length];
      const addresses = [input, gradOutput, gradFilter, gradBias, argmax].map(addressOf);
      withConvBuffer(convOutputSize(conv), (gradConv) => {
        const [x, g, gf, gb] = [input, gradOutput, gradFilter, gradBias ?? new Float32Array(0)].map((view, index) =>
          renewed(view, addresses[index]!, lengths[index]!),
        );
        poolKernels.maxPoolBackward(g!, renewed(argmax, addresses[4]!, lengths[4]!), gradConv, pool);
        trainKernels.conv2dBackwardFilter(x!, gradConv, gf!, conv, gradBias === null ? null : gb!);
      });
    },
  };
}
