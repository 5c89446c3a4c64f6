// The webgpu kernels of masked sequence pooling (masked-pool.ts; kind-masked-shaders.ts): the mask's
// bytes go up as int32, the reduction as a mode and Lp's p in the parameters.
import {
  maskedPoolBackward,
  maskedPoolForward,
  type MaskedGeometry,
  type MaskedReduction,
} from '../reference/extra/masked-pool.js';
import type { PoolingKernels } from '../types.js';
import { read, write, type KindRunner } from './kind-kernels.js';
import { MASKED_MODES, MaskedParam } from './kind-masked-shaders.js';
import { floatParam, Param, type JobArray } from './params.js';

function maskedParams(geometry: MaskedGeometry, reduction: MaskedReduction): Int32Array {
  const params = new Int32Array(MaskedParam.count);
  params[Param.batch] = geometry.batch;
  params[Param.power] = floatParam(reduction.kind === 'lp' ? reduction.p : 1);
  params.set([geometry.time, geometry.features, MASKED_MODES[reduction.kind]], MaskedParam.time);
  return params;
}

/** The argmax array, or one unused element where the reduction keeps none. */
const argmaxArray = (argmax: Int32Array | null): Int32Array => argmax ?? new Int32Array(1);

export function createMaskedGpuKernels(run: KindRunner) {
  return {
    maskedPoolForward(input, mask, output, argmax, geometry, reduction) {
      const arrays = [read(Int32Array.from(mask)), read(input), write(output), write(argmaxArray(argmax))];
      const job = {
        shader: 'maskedKindForward',
        params: maskedParams(geometry, reduction),
        arrays,
        work: output.length,
      };
      run('maskedPoolForward', job, () => maskedPoolForward(input, mask, output, argmax, geometry, reduction));
    },
    maskedPoolBackward(input, mask, output, argmax, gradOutput, gradInput, geometry, reduction) {
      const arrays: JobArray[] = [read(Int32Array.from(mask)), read(input), read(output), read(argmaxArray(argmax))];
      arrays.push(read(gradOutput), { data: gradInput, role: 'readWrite' });
      const job = {
        shader: 'maskedKindBackward',
        params: maskedParams(geometry, reduction),
        arrays,
        work: gradInput.length,
      };
      run('maskedPoolBackward', job, () =>
        maskedPoolBackward(input, mask, output, argmax, gradOutput, gradInput, geometry, reduction),
      );
    },
  } satisfies Partial<PoolingKernels>;
}
