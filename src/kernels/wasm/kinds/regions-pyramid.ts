// Spatial pyramid pooling made fast by composition: in max mode each level is the pool module's
// adaptive max pooling (forward) and argmax scatter (backward), whose windows, NaN rule, tie rule
// and argmax are the reference's, so the result is bit for bit the same; only the level blocks are
// copied between the [batch, L·L·channels] layout of one level and the concatenated output. The
// average mode keeps the reference kernels: they sum in float64, the pool module in float32.
import { adaptiveGeometry, type AdaptiveGeometry } from '../../../geometry/adaptive-geometry.js';
import { poolingPlanes } from '../../../pooling/argmax-planes.js';
import { Tensor } from '../../../tensor/tensor.js';
import { kernel } from '../../backend.js';
import { sppBackward, sppForward, type SppGeometry } from '../../reference/extra/spatial-pyramid-pool.js';
import type { PoolingKernels } from '../../types.js';
import { keepViews } from '../pool-arguments.js';

/** Level `index`'s adaptive pooling geometry. */
function levelGeometry(geometry: SppGeometry, index: number) {
  const format = geometry.channelsLast ? 'channelsLast' : 'channelsFirst';
  return adaptiveGeometry('spatialPyramidPool', geometry.inputShape, 2, geometry.levels[index]!, format);
}

/** Copies level `index` between its own [batch, block] layout and the output's [batch, features]. */
function copyLevel(
  geometry: SppGeometry,
  index: number,
  level: Float32Array | Int32Array,
  output: Float32Array | Int32Array,
  toOutput: boolean,
): void {
  const block = level.length / geometry.batch;
  for (let sample = 0; sample < geometry.batch; sample++) {
    const at = sample * geometry.features + geometry.levelOffsets[index]!;
    if (toOutput) output.set(level.subarray(sample * block, (sample + 1) * block), at);
    else level.set(output.subarray(at, at + block), sample * block);
  }
}

/** Runs `use` on each level with its geometry and a level's values and indices, temporary tensors disposed after. */
function forEachLevel(
  geometry: SppGeometry,
  use: (index: number, cells: AdaptiveGeometry, values: Tensor, indices: Tensor) => void,
): void {
  geometry.levels.forEach((_, index) => {
    const cells = levelGeometry(geometry, index);
    const [values, indices] = [Tensor.allocate(cells.outputShape), Tensor.allocate(cells.outputShape, 'int32')];
    try {
      use(index, cells, values, indices);
    } finally {
      values.dispose();
      indices.dispose();
    }
  });
}

export function createPyramidKernels(): Pick<PoolingKernels, 'sppForward' | 'sppBackward'> {
  return {
    sppForward(input, output, argmax, geometry, mode) {
      if (mode !== 'max' || argmax === null) return sppForward(input, output, argmax, geometry, mode);
      const views = keepViews(input, output, argmax);
      forEachLevel(geometry, (index, cells, pooled, indices) => {
        const [x, y, chosen] = views();
        kernel('adaptiveMaxPoolForward')(x, pooled.values, indices.intValues, cells);
        copyLevel(geometry, index, pooled.values, y, true);
        copyLevel(geometry, index, indices.intValues, chosen, true);
      });
    },
    sppBackward(gradOutput, argmax, gradInput, geometry, mode) {
      if (mode !== 'max' || argmax === null) return sppBackward(gradOutput, argmax, gradInput, geometry, mode);
      const views = keepViews(gradOutput, argmax, gradInput);
      forEachLevel(geometry, (index, cells, gradients, indices) => {
        const [gradientsIn, chosen, gradientsOut] = views();
        copyLevel(geometry, index, gradients.values, gradientsIn, false);
        copyLevel(geometry, index, indices.intValues, chosen, false);
        kernel('argmaxScatterAdd')(gradients.values, indices.intValues, gradientsOut, poolingPlanes(cells));
      });
    },
  };
}
