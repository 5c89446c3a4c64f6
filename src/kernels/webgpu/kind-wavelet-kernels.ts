// The webgpu kernels of wavelet pooling (kind-wavelet-shaders.ts): the forward per output cell, the
// backward per input cell, each one dispatch; the rank goes in the kind parameter block.
import type { PoolingSizes } from '../../geometry/layout.js';
import { waveletPoolBackward, waveletPoolForward } from '../reference/extra/wavelet-pool.js';
import type { PoolingKernels } from '../types.js';
import type { KindRunner } from './kind-kernels.js';
import { KindParam } from './kind-walk.js';
import { sizeParams } from './params.js';

/** The sizes' parameters with the rank (which axes are transformed). */
function waveletParams(sizes: PoolingSizes): Int32Array {
  const params = new Int32Array(KindParam.count);
  params.set(sizeParams(sizes));
  params[KindParam.coefficient] = sizes.spatialDims;
  return params;
}

export function createWaveletGpuKernels(run: KindRunner) {
  return {
    waveletPoolForward(input, output, geometry) {
      const arrays = [
        { data: input, role: 'read' as const },
        { data: output, role: 'write' as const },
      ];
      const job = { shader: 'waveletKindForward', params: waveletParams(geometry), arrays, work: output.length };
      run('waveletPoolForward', job, () => waveletPoolForward(input, output, geometry));
    },
    waveletPoolBackward(gradOutput, gradInput, geometry) {
      const arrays = [
        { data: gradOutput, role: 'read' as const },
        { data: gradInput, role: 'write' as const },
      ];
      const job = { shader: 'waveletKindBackward', params: waveletParams(geometry), arrays, work: gradInput.length };
      run('waveletPoolBackward', job, () => waveletPoolBackward(gradOutput, gradInput, geometry));
    },
  } satisfies Partial<PoolingKernels>;
}
