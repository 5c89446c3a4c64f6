// S3Pool (Zhai et al., CVPR 2017), reference kernel: after the dense (stride 1) max pooling, keep the
// cells at the chosen rows of every axis (the same rows in every plane), with their argmax.
import type { PoolingSizes } from '../../../geometry/layout.js';
import { planeViews } from './planes.js';
import type { PoolGeometry } from '../../../geometry/pool-geometry.js';
import { maxPoolForward } from '../max-pool.js';

/** Input side: the dense maxima; output side: the kept grid. */
export interface GridSampleGeometry extends PoolingSizes {
  /** Per axis (depth, height, width): the kept positions, ascending; [0] on an axis the rank lacks. */
  readonly rows: readonly [Int32Array, Int32Array, Int32Array];
}

/**
 * output = maxima at the grid's cells; argmax (flat spatial indices into the pooled input's plane)
 * follows the cells it came from, so the backward is an argmax scatter into the input.
 */
export function gridSampleForward(
  maxima: Float32Array,
  maximaArgmax: Int32Array,
  output: Float32Array,
  argmax: Int32Array,
  geometry: GridSampleGeometry,
): void {
  const { rows, inHeight, inWidth, outHeight, outWidth } = geometry;
  const outSpatial = geometry.outDepth * outHeight * outWidth;
  for (let plane = 0; plane < geometry.batch * geometry.channels; plane++) {
    const views = planeViews(geometry, plane);
    for (let cell = 0; cell < outSpatial; cell++) {
      const slice = rows[0][Math.floor(cell / (outWidth * outHeight))]!;
      const row = rows[1][Math.floor(cell / outWidth) % outHeight]!;
      const column = rows[2][cell % outWidth]!;
      const source = views.input.base + ((slice * inHeight + row) * inWidth + column) * views.input.step;
      const target = views.output.base + cell * views.output.step;
      output[target] = maxima[source]!;
      argmax[target] = maximaArgmax[source]!;
    }
  }
}

/** The dense max pooling (its geometry) and the kept grid of its output. */
export interface SampledMaxGeometry {
  readonly dense: PoolGeometry;
  readonly sample: GridSampleGeometry;
}

/**
 * gridSampleForward of the dense max pooling's output, in one kernel: fast backends compute the
 * kept windows only (no dense maxima), with the same values and argmax.
 */
export function sampledMaxPoolForward(
  input: Float32Array,
  output: Float32Array,
  argmax: Int32Array,
  geometry: SampledMaxGeometry,
): void {
  const cells = geometry.dense.outputShape.reduce((product, size) => product * size, 1);
  const [maxima, maximaArgmax] = [new Float32Array(cells), new Int32Array(cells)];
  maxPoolForward(input, maxima, maximaArgmax, geometry.dense);
  gridSampleForward(maxima, maximaArgmax, output, argmax, geometry.sample);
}
