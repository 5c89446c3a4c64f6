// Scatter and gather by saved argmax: max-pool backward (scatter-add), max-unpool forward
// (scatter) and max-unpool backward (gather). argmax < 0 (an empty window) moves nothing.
import { stridesOf } from '../../geometry/layout.js';
import type { ArgmaxPlanes } from '../types.js';

type Move = (smallIndex: number, largeIndex: number) => void;

function walkArgmax(argmax: Int32Array, planes: ArgmaxPlanes, move: Move): void {
  const { batch, channels, channelsLast, largeSpatial, smallSpatial } = planes;
  const large = stridesOf(channelsLast, channels, largeSpatial);
  const small = stridesOf(channelsLast, channels, smallSpatial);
  for (let plane = 0; plane < batch * channels; plane++) {
    const sample = Math.floor(plane / channels);
    const channel = plane % channels;
    const largeBase = sample * large.batch + channel * large.channel;
    const smallBase = sample * small.batch + channel * small.channel;
    for (let cell = 0; cell < smallSpatial; cell++) {
      const smallIndex = smallBase + cell * small.spatial;
      const target = argmax[smallIndex]!;
      if (target >= 0) move(smallIndex, largeBase + target * large.spatial);
    }
  }
}

/** What the three kernels take: the pooled side, the argmax, the full-size side, the planes of both. */
type ArgmaxKernel = (small: Float32Array, argmax: Int32Array, large: Float32Array, planes: ArgmaxPlanes) => void;

/** Max-pool backward: each pooled gradient added into its argmax cell (gradInput zeroed first). */
export const argmaxScatterAdd: ArgmaxKernel = (small, argmax, large, planes) =>
  walkArgmax(argmax, planes, (smallIndex, largeIndex) => {
    large[largeIndex]! += small[smallIndex]!;
  });

/** Max-unpool forward: each value written to its argmax cell (the other cells zeroed first). */
export const argmaxScatter: ArgmaxKernel = (small, argmax, large, planes) =>
  walkArgmax(argmax, planes, (smallIndex, largeIndex) => {
    large[largeIndex] = small[smallIndex]!;
  });

/** Max-unpool backward: each pooled cell reads the gradient at its argmax cell. */
export function argmaxGather(large: Float32Array, argmax: Int32Array, small: Float32Array, planes: ArgmaxPlanes): void {
  small.fill(0); // cells of empty windows (argmax -1) read as 0
  walkArgmax(argmax, planes, (smallIndex, largeIndex) => {
    small[smallIndex] = large[largeIndex]!;
  });
}
