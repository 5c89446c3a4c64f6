// A convolution followed by max pooling on the wasm backend. The seed CNN's case (a direct
// convolution, then a 2x2 stride-2 VALID max pool, NHWC) runs fused (assembly/train/conv-pool.ts):
// the forward never writes the full-size convolution output and the filter gradient never reads a
// full-size gradient, a quarter of the memory traffic; a relu after the pool is applied, and its
// gradient mask read, inside the same passes. Every other case runs the wasm kernels in turn through
// a full-size buffer, as the reference does.
import type { PoolGeometry } from '../../geometry/pool-geometry.js';
import { heap } from '../../tensor/heap.js';
import type { ConvGeometry, PoolKernels, TrainKernels } from '../types.js';
import type { KernelModule } from './loader.js';
import { addressOf, keepViews } from './pool-arguments.js';
import { parallelFor } from './threads.js';
import { reluInPlace, withMaskedGradient } from './train-elementwise.js';
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

/** The unfused backward's tensors: input, gradOutput, argmax, gradFilter, gradBias. */
type TurnViews = readonly [Float32Array, Float32Array, Int32Array, Float32Array, Float32Array | null];

const convOutputSize = (conv: ConvGeometry): number => conv.batch * conv.outHeight * conv.outWidth * conv.outChannels;

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
  type Kernels = Pick<TrainKernels, 'conv2dMaxPoolForward' | 'conv2dMaxPoolBackwardFilter'>;
  const forward: Kernels['conv2dMaxPoolForward'] = (input, filter, bias, output, argmax, conv, pool, relu = false) => {
    if (fusedConvPoolApplies(conv, pool)) {
      const words = writeDirectConvolution(train, input, filter, bias, null, conv, relu);
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
    const views = keepViews(input, filter, bias, output, argmax);
    withConvBuffer(convOutputSize(conv), (convOutput) => {
      const [x, f, b, o, a] = views();
      trainKernels.conv2dForward(x, f, b, convOutput, conv);
      poolKernels.maxPoolForward(convOutput, o, a, pool);
    });
    if (relu) {
      const pooled = views()[3];
      reluInPlace(train, addressOf(pooled), pooled.length);
    }
  };

  /**
   * The unfused backward: the pool's backward into a full-size buffer, then the filter gradient.
   * `views` gives input, gradOutput, argmax, gradFilter and gradBias, valid after the buffer's alloc.
   */
  const backwardInTurn = (views: () => TurnViews, conv: ConvGeometry, pool: PoolGeometry): void => {
    withConvBuffer(convOutputSize(conv), (gradConv) => {
      const [x, g, a, gf, gb] = views();
      poolKernels.maxPoolBackward(g, a, gradConv, pool);
      trainKernels.conv2dBackwardFilter(x, gradConv, gf, conv, gb);
    });
  };

  const backwardFilter: Kernels['conv2dMaxPoolBackwardFilter'] = (
    input,
    gradOutput,
    argmax,
    gradFilter,
    gradBias,
    conv,
    pool,
    reluOutput = null,
  ) => {
    if (fusedConvPoolApplies(conv, pool)) {
      const pooled = { argmax, outHeight: pool.outHeight, outWidth: pool.outWidth };
      conv2dBackwardFilterDirect(train, conv, { input, gradOutput, gradFilter, gradBias, reluOutput, pooled });
    } else if (reluOutput === null) {
      backwardInTurn(keepViews(input, gradOutput, argmax, gradFilter, gradBias), conv, pool);
    } else {
      const views = keepViews(input, argmax, gradFilter, gradBias);
      withMaskedGradient(train, gradOutput, reluOutput, gradOutput.length, (masked) => {
        const [x, a, gf, gb] = views();
        backwardInTurn(keepViews(x, masked, a, gf, gb), conv, pool);
      });
    }
  };
  return { conv2dMaxPoolForward: forward, conv2dMaxPoolBackwardFilter: backwardFilter };
}
