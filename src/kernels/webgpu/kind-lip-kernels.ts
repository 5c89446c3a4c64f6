// The webgpu kernels of local importance pooling (LIP; kind-formula-shaders.ts): the forward per
// window, the backward as window statistics then two gathers (∂x and ∂logits) in one job.
import { lipPoolBackward, lipPoolForward, type LipGeometry } from '../reference/extra/lip-pool.js';
import type { PoolingKernels } from '../types.js';
import { kindParams, type KindRunner } from './kind-kernels.js';
import { KindParam } from './kind-walk.js';
import { floatParam } from './params.js';
import { JobBuilder } from './train-jobs.js';

/** The window geometry's parameters with λ. */
function lipParams(geometry: LipGeometry): Int32Array {
  const params = kindParams(geometry);
  params[KindParam.coefficient] = floatParam(geometry.coefficient);
  return params;
}

export function createLipGpuKernels(run: KindRunner) {
  return {
    lipPoolForward(input, logits, output, geometry) {
      const arrays = [
        { data: input, role: 'read' as const },
        { data: logits, role: 'read' as const },
        { data: output, role: 'write' as const },
      ];
      const job = { shader: 'lipKindForward', params: lipParams(geometry), arrays, work: output.length };
      run('lipPoolForward', job, () => lipPoolForward(input, logits, output, geometry));
    },
    lipPoolBackward(input, logits, gradOutput, gradInput, gradLogits, geometry) {
      const builder = new JobBuilder();
      const params = lipParams(geometry);
      const [x, z, g] = [builder.add(input, 'read'), builder.add(logits, 'read'), builder.add(gradOutput, 'read')];
      const stats = builder.scratch(gradOutput.length * 3);
      builder.step('lipKindStats', params, [x, z, stats], gradOutput.length);
      builder.step('lipKindBackwardInput', params, [x, z, stats, g, builder.add(gradInput, 'write')], gradInput.length);
      builder.step(
        'lipKindBackwardLogits',
        params,
        [x, z, stats, g, builder.add(gradLogits, 'write')],
        gradInput.length,
      );
      run('lipPoolBackward', builder.job(), () =>
        lipPoolBackward(input, logits, gradOutput, gradInput, gradLogits, geometry),
      );
    },
  } satisfies Partial<PoolingKernels>;
}
