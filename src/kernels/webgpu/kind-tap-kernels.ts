// The webgpu kernels of the tap-weighted kinds' backward passes (kind-tap-shaders.ts): gated pooling
// (window statistics, the ∂x gather, the ∂weights sums) and ordinal pooling (∂x gather, ∂weights),
// each one job of several dispatches; the reference kernel where the device cannot take the job.
import { gatedPoolBackward } from '../reference/extra/gated-pool.js';
import { ordinalPoolBackward } from '../reference/extra/ordinal-pool.js';
import type { PoolingKernels } from '../types.js';
import { kindParams, type KindRunner } from './kind-kernels.js';
import { JobBuilder } from './train-jobs.js';

export function createTapGpuKernels(run: KindRunner) {
  return {
    gatedPoolBackward(input, weights, gradOutput, gradInput, gradWeights, geometry) {
      const builder = new JobBuilder();
      const params = kindParams(geometry);
      const [x, w, g] = [builder.add(input, 'read'), builder.add(weights, 'read'), builder.add(gradOutput, 'read')];
      const stats = builder.scratch(gradOutput.length * 3);
      const maxCells = builder.add(new Int32Array(gradOutput.length), 'device');
      builder.step('gatedKindStats', params, [x, w, g, stats, maxCells], gradOutput.length);
      builder.step(
        'gatedKindBackward',
        params,
        [w, stats, maxCells, builder.add(gradInput, 'write')],
        gradInput.length,
      );
      builder.step('gatedKindWeights', params, [x, w, stats, builder.add(gradWeights, 'write')], gradWeights.length);
      run('gatedPoolBackward', builder.job(), () =>
        gatedPoolBackward(input, weights, gradOutput, gradInput, gradWeights, geometry),
      );
    },
    ordinalPoolBackward(input, weights, gradOutput, gradInput, gradWeights, geometry) {
      const builder = new JobBuilder();
      const params = kindParams(geometry);
      const [x, w, g] = [builder.add(input, 'read'), builder.add(weights, 'read'), builder.add(gradOutput, 'read')];
      builder.step('ordinalKindBackward', params, [x, w, g, builder.add(gradInput, 'write')], gradInput.length);
      builder.step('ordinalKindWeights', params, [x, w, g, builder.add(gradWeights, 'write')], gradWeights.length);
      run('ordinalPoolBackward', builder.job(), () =>
        ordinalPoolBackward(input, weights, gradOutput, gradInput, gradWeights, geometry),
      );
    },
  } satisfies Partial<PoolingKernels>;
}
