// Random pooling (seed article 000), reference kernels: training outputs one in-bounds cell of each
// window drawn uniformly (gradient to it, by the argmax scatter); inference outputs the window's
// in-bounds average, which is the expectation of that draw.
import type { DrawingWindowForward } from './kernel-signatures.js';
import type { PoolGeometry } from '../../../geometry/pool-geometry.js';
import { walkCollectedWindows } from './collect.js';
import { drawUniform } from '../../../tensor/counter-draws.js';

/**
 * Training forward: output element i draws u = drawUniform(draws, i) (counter-draws.ts: 32 bits, in
 * [0, 1)); cell floor(u·count) of the window's in-bounds cells is chosen; `chosen` gets its flat spatial
 * index in its plane (-1 and output 0 for a window without in-bounds cells).
 */
export const randomPoolForward: DrawingWindowForward = (input, output, chosen, draws, geometry) => {
  walkCollectedWindows(geometry, (window, outputIndex) => {
    if (window.count === 0) {
      output[outputIndex] = 0;
      chosen[outputIndex] = -1;
      return;
    }
    const position = Math.min(window.count - 1, Math.floor(drawUniform(draws, outputIndex) * window.count));
    output[outputIndex] = input[window.inputIndices[position]!]!;
    chosen[outputIndex] = window.spatialIndices[position]!;
  });
};

/** The mean over each window's in-bounds cells (TensorFlow's divisor); 0 for an empty window. */
export function inBoundsAverageForward(input: Float32Array, output: Float32Array, geometry: PoolGeometry): void {
  walkCollectedWindows(geometry, (window, outputIndex) => {
    let sum = 0;
    for (let position = 0; position < window.count; position++) sum += input[window.inputIndices[position]!]!;
    output[outputIndex] = window.count === 0 ? 0 : sum / window.count;
  });
}

/** Backward of inBoundsAverageForward: each in-bounds cell gets gradOutput / count; gradInput zeroed first. */
export function inBoundsAverageBackward(
  gradOutput: Float32Array,
  gradInput: Float32Array,
  geometry: PoolGeometry,
): void {
  walkCollectedWindows(geometry, (window, outputIndex) => {
    const share = gradOutput[outputIndex]! / window.count;
    for (let position = 0; position < window.count; position++) gradInput[window.inputIndices[position]!]! += share;
  });
}
