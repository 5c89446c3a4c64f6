// The webgpu kernels of SoftPool, GeM and LSE (kind-formula-shaders.ts, kind-lse-shaders.ts): the
// forward one job; the backward window statistics then the gather in one submit, GeM's and LSE's
// parameter terms summed per slot in walk order (kind-kernels.ts's addTerms).
import { gemPoolBackward, gemPoolForward } from '../reference/extra/gem-pool.js';
import { lsePoolBackward, lsePoolForward } from '../reference/extra/lse-pool.js';
import { softPoolBackward, softPoolForward } from '../reference/extra/soft-pool.js';
import type { PoolingKernels } from '../types.js';
import { addTerms, backwardJob, forwardJob, read, STATS, write, type KindRunner } from './kind-kernels.js';

type ScalarBackward = PoolingKernels['gemPoolBackward'];

/** GeM's or LSE's backward: statistics and ∂y/∂parameter terms per window, the gather, the terms summed per slot. */
function scalarBackward(run: KindRunner, kind: 'gem' | 'lse', width: number, fallback: ScalarBackward): ScalarBackward {
  return (input, parameter, gradOutput, gradInput, gradParameter, geometry) => {
    const terms = new Float32Array(gradOutput.length);
    const [x, p, g] = [read(input), read(parameter), read(gradOutput)];
    const shaders = { stats: `${kind}KindStats`, gather: `${kind}KindBackward`, width };
    const arrays = { statsReads: [x, p, g], gatherReads: [x, p, read(STATS), g], terms, gradInput };
    let fellBack = false;
    run(`${kind}PoolBackward`, backwardJob(shaders, geometry, arrays), () => {
      fellBack = true;
      fallback(input, parameter, gradOutput, gradInput, gradParameter, geometry);
    });
    if (!fellBack) addTerms(terms, gradParameter, geometry);
  };
}

export function createFormulaGpuKernels(run: KindRunner) {
  return {
    softPoolForward(input, output, geometry) {
      const job = forwardJob('softKindForward', geometry, [read(input), write(output)], output.length);
      run('softPoolForward', job, () => softPoolForward(input, output, geometry));
    },
    softPoolBackward(input, gradOutput, gradInput, geometry) {
      const shaders = { stats: 'softKindStats', gather: 'softKindBackward', width: 3 };
      const x = read(input);
      const gatherReads = [x, read(STATS), read(gradOutput)];
      const job = backwardJob(shaders, geometry, { statsReads: [x], gatherReads, terms: null, gradInput });
      run('softPoolBackward', job, () => softPoolBackward(input, gradOutput, gradInput, geometry));
    },
    gemPoolForward(input, power, output, geometry) {
      const arrays = [read(input), read(power), write(output)];
      run('gemPoolForward', forwardJob('gemKindForward', geometry, arrays, output.length), () =>
        gemPoolForward(input, power, output, geometry),
      );
    },
    gemPoolBackward: scalarBackward(run, 'gem', 1, gemPoolBackward),
    lsePoolForward(input, rate, output, geometry) {
      const arrays = [read(input), read(rate), write(output)];
      run('lsePoolForward', forwardJob('lseKindForward', geometry, arrays, output.length), () =>
        lsePoolForward(input, rate, output, geometry),
      );
    },
    lsePoolBackward: scalarBackward(run, 'lse', 4, lsePoolBackward),
  } satisfies Partial<PoolingKernels>;
}
