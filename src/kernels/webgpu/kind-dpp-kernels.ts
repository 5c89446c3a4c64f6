// The webgpu kernels of detail-preserving pooling (kind-dpp-shaders.ts): the forward per window, the
// backward as window statistics (with ∂y/∂α's and ∂y/∂λ's terms per window) then the gather in one
// job; the host sums the terms per slot in walk order, as the reference adds.
import type { PoolGeometry } from '../../geometry/pool-geometry.js';
import { dppPoolBackward, dppPoolForward } from '../reference/extra/dpp-pool.js';
import type { PoolingKernels } from '../types.js';
import { addTerms, kindParams, type KindRunner } from './kind-kernels.js';
import { KindParam } from './kind-walk.js';
import { JobBuilder } from './train-jobs.js';

/** The window geometry's parameters with the asymmetric flag. */
function dppParams(geometry: PoolGeometry, asymmetric: boolean): Int32Array {
  const params = kindParams(geometry);
  params[KindParam.coefficient] = asymmetric ? 1 : 0;
  return params;
}

export function createDppGpuKernels(run: KindRunner) {
  return {
    dppPoolForward(input, alpha, lambda, output, geometry, asymmetric) {
      const arrays = [
        { data: input, role: 'read' as const },
        { data: alpha, role: 'read' as const },
        { data: lambda, role: 'read' as const },
        { data: output, role: 'write' as const },
      ];
      const job = { shader: 'dppKindForward', params: dppParams(geometry, asymmetric), arrays, work: output.length };
      run('dppPoolForward', job, () => dppPoolForward(input, alpha, lambda, output, geometry, asymmetric));
    },
    dppPoolBackward(input, alpha, lambda, gradOutput, gradInput, gradAlpha, gradLambda, geometry, asymmetric) {
      const builder = new JobBuilder();
      const params = dppParams(geometry, asymmetric);
      const [x, a, l] = [builder.add(input, 'read'), builder.add(alpha, 'read'), builder.add(lambda, 'read')];
      const g = builder.add(gradOutput, 'read');
      const stats = builder.scratch(gradOutput.length * 4);
      const [alphaTerms, lambdaTerms] = [new Float32Array(gradOutput.length), new Float32Array(gradOutput.length)];
      const terms = [builder.add(alphaTerms, 'write'), builder.add(lambdaTerms, 'write')];
      builder.step('dppKindStats', params, [x, a, l, g, stats, ...terms], gradOutput.length);
      builder.step('dppKindBackward', params, [x, a, l, stats, g, builder.add(gradInput, 'write')], gradInput.length);
      let fellBack = false;
      run('dppPoolBackward', builder.job(), () => {
        fellBack = true;
        const gradients = [gradInput, gradAlpha, gradLambda] as const;
        dppPoolBackward(input, alpha, lambda, gradOutput, ...gradients, geometry, asymmetric);
      });
      if (!fellBack) {
        addTerms(alphaTerms, gradAlpha, geometry);
        addTerms(lambdaTerms, gradLambda, geometry);
      }
    },
  } satisfies Partial<PoolingKernels>;
}
