// The webgpu kernels of AdaPool (kind-ada-shaders.ts): the forward per window, the backward as window
// statistics (with ∂y/∂β's term per window) then the gather in one job; the host sums the terms per β
// slot (one β, or one per output cell) in walk order, as the reference adds.
import type { PoolGeometry } from '../../geometry/pool-geometry.js';
import { adaPoolBackward, adaPoolForward, betaSlot } from '../reference/extra/ada-pool.js';
import { forEachOutputCell } from '../reference/window-walk.js';
import type { PoolingKernels } from '../types.js';
import { kindParams, type KindRunner } from './kind-kernels.js';
import { JobBuilder } from './train-jobs.js';

/** gradBeta[slot] += terms in walk order (plane, then output cell). */
function addBetaTerms(terms: Float32Array, gradBeta: Float32Array, geometry: PoolGeometry): void {
  forEachOutputCell(geometry, (_inBase, outputIndex) => {
    gradBeta[betaSlot(geometry, gradBeta.length, outputIndex)]! += terms[outputIndex]!;
  });
}

export function createAdaGpuKernels(run: KindRunner) {
  return {
    adaPoolForward(input, beta, output, geometry) {
      const arrays = [
        { data: input, role: 'read' as const },
        { data: beta, role: 'read' as const },
        { data: output, role: 'write' as const },
      ];
      const job = { shader: 'adaKindForward', params: kindParams(geometry), arrays, work: output.length };
      run('adaPoolForward', job, () => adaPoolForward(input, beta, output, geometry));
    },
    adaPoolBackward(input, beta, gradOutput, gradInput, gradBeta, geometry) {
      const builder = new JobBuilder();
      const params = kindParams(geometry);
      const [x, b, g] = [builder.add(input, 'read'), builder.add(beta, 'read'), builder.add(gradOutput, 'read')];
      const stats = builder.scratch(gradOutput.length * 7);
      const terms = new Float32Array(gradOutput.length);
      builder.step('adaKindStats', params, [x, g, stats, builder.add(terms, 'write')], gradOutput.length);
      builder.step('adaKindBackward', params, [x, b, stats, g, builder.add(gradInput, 'write')], gradInput.length);
      let fellBack = false;
      run('adaPoolBackward', builder.job(), () => {
        fellBack = true;
        adaPoolBackward(input, beta, gradOutput, gradInput, gradBeta, geometry);
      });
      if (!fellBack) addBetaTerms(terms, gradBeta, geometry);
    },
  } satisfies Partial<PoolingKernels>;
}
