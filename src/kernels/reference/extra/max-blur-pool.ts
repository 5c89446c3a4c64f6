// MaxBlurPool's forward as one kernel (Zhang, ICML 2019): the dense (stride 1, unpadded) max pooling,
// then the blur on its maxima. The specification is the two reference kernels composed; a fast backend
// may fuse them (the wasm kernel never stores the maxima), with the same output and argmax bits.
import type { PoolGeometry } from '../../../geometry/pool-geometry.js';
import { maxPoolForward } from '../max-pool.js';
import { blurPoolForward, type BlurGeometry } from './blur-pool.js';

/** The dense max pooling's geometry and the blur's over its maxima. */
export interface MaxBlurGeometry {
  readonly dense: PoolGeometry;
  readonly blur: BlurGeometry;
}

/** output = blur(maxPool(input)); argmax: each dense maximum's spatial index in its input plane, as maxPoolForward's. */
export function maxBlurPoolForward(
  input: Float32Array,
  output: Float32Array,
  argmax: Int32Array,
  geometry: MaxBlurGeometry,
): void {
  const maxima = new Float32Array(argmax.length);
  maxPoolForward(input, maxima, argmax, geometry.dense);
  blurPoolForward(maxima, output, geometry.blur);
}
