// The signatures that families of extra window kernels share, named once: the op templates call each
// family alike (weightedWindowOp in src/pooling/arguments.ts: mixed, gated, GeM, LSE, ordinal,
// AdaPool, and LIP with its logits; drawOrExpect's training steps: random and stochastic pooling).
import type { PoolGeometry } from '../../../geometry/pool-geometry.js';
import type { DrawKey } from '../../../tensor/counter-draws.js';

/** y over each window from x and one learnable weight tensor (a proportion, gate or rank weights, a power). */
export type WeightedWindowForward<Geometry = PoolGeometry> = (
  input: Float32Array,
  weights: Float32Array,
  output: Float32Array,
  geometry: Geometry,
  /** Where a fast kernel may keep per-cell values for its backward (forward-keep.ts); references ignore it. */
  kept?: Float32Array,
) => void;

/** ∂y/∂x and ∂y/∂weights, each added into a zeroed gradient. */
export type WeightedWindowBackward<Geometry = PoolGeometry> = (
  input: Float32Array,
  weights: Float32Array,
  gradOutput: Float32Array,
  gradInput: Float32Array,
  gradWeights: Float32Array,
  geometry: Geometry,
  kept?: Float32Array,
) => void;

/**
 * A random kind's training forward: the draw of output element i is drawUniform(draws, i)
 * (src/tensor/counter-draws.ts), one uniform number in [0, 1) per output element; `chosen` receives
 * the flat spatial index (in its plane) of each window's drawn cell, −1 for none.
 */
export type DrawingWindowForward = (
  input: Float32Array,
  output: Float32Array,
  chosen: Int32Array,
  draws: DrawKey,
  geometry: PoolGeometry,
) => void;
