// Reference kernels of conv3d (plain TypeScript, NDHWC input, DHWIO filter): forward, input
// gradient and filter gradient, all over one walk of (output cell, filter tap) pairs that lie
// inside the input, so the three agree on padding, stride and dilation by construction.
import type { PoolGeometry } from '../../geometry/pool-geometry.js';

/** The pooling geometry of the window plus the filter count. */
export interface Conv3dGeometry extends PoolGeometry {
  readonly outChannels: number;
}

/**
 * Calls visit(outputCell, inputCell, tap) for every output cell and every filter tap that falls
 * inside the input (padding taps are skipped: they multiply zeros). Cells and taps are flat
 * indices without the channel axis.
 */
function walkTaps(geometry: Conv3dGeometry, visit: (outputCell: number, inputCell: number, tap: number) => void): void {
  const g = geometry;
  const outCells = g.outDepth * g.outHeight * g.outWidth;
  const inCells = g.inDepth * g.inHeight * g.inWidth;
  for (let batch = 0; batch < g.batch; batch++) {
    for (let outCell = 0; outCell < outCells; outCell++) {
      const outDepth = Math.floor(outCell / (g.outHeight * g.outWidth));
      const outRow = Math.floor(outCell / g.outWidth) % g.outHeight;
      const outColumn = outCell % g.outWidth;
      for (let tap = 0; tap < g.kernelDepth * g.kernelHeight * g.kernelWidth; tap++) {
        const depth =
          outDepth * g.strideDepth - g.padFront + Math.floor(tap / (g.kernelHeight * g.kernelWidth)) * g.dilationDepth;
        const row =
          outRow * g.strideHeight - g.padTop + (Math.floor(tap / g.kernelWidth) % g.kernelHeight) * g.dilationHeight;
        const column = outColumn * g.strideWidth - g.padLeft + (tap % g.kernelWidth) * g.dilationWidth;
        if (depth < 0 || depth >= g.inDepth || row < 0 || row >= g.inHeight || column < 0 || column >= g.inWidth)
          continue;
        const inputCell = batch * inCells + (depth * g.inHeight + row) * g.inWidth + column;
        visit(batch * outCells + outCell, inputCell, tap);
      }
    }
  }
}

/**
 * walkTaps per input channel c: visit(inputIndex, outputRow, weightRow) with the input element
 * [cell', c] and the offsets of the output cell's row [cell, 0..F) and the filter's row [tap, c, 0..F).
 */
function walkTapChannels(
  geometry: Conv3dGeometry,
  visit: (inputIndex: number, outputRow: number, weightRow: number) => void,
): void {
  const [channels, filters] = [geometry.channels, geometry.outChannels];
  walkTaps(geometry, (outputCell, inputCell, tap) => {
    for (let c = 0; c < channels; c++)
      visit(inputCell * channels + c, outputCell * filters, (tap * channels + c) * filters);
  });
}

/** output[cell, f] = bias[f] + Σ taps, channels input[cell', c] · filter[tap, c, f]. */
export function conv3dForward(
  input: Float32Array,
  filter: Float32Array,
  bias: Float32Array | null,
  output: Float32Array,
  geometry: Conv3dGeometry,
): void {
  const filters = geometry.outChannels;
  for (let cell = 0; cell < output.length / filters; cell++) {
    for (let f = 0; f < filters; f++) output[cell * filters + f] = bias === null ? 0 : bias[f]!;
  }
  walkTapChannels(geometry, (inputIndex, outputRow, weightRow) => {
    const value = input[inputIndex]!;
    for (let f = 0; f < filters; f++) output[outputRow + f]! += value * filter[weightRow + f]!;
  });
}

/** gradInput[cell', c] += Σ gradOutput[cell, f] · filter[tap, c, f]; gradInput must start at 0. */
export function conv3dBackwardInput(
  gradOutput: Float32Array,
  filter: Float32Array,
  gradInput: Float32Array,
  geometry: Conv3dGeometry,
): void {
  const filters = geometry.outChannels;
  walkTapChannels(geometry, (inputIndex, outputRow, weightRow) => {
    let sum = 0;
    for (let f = 0; f < filters; f++) sum += gradOutput[outputRow + f]! * filter[weightRow + f]!;
    gradInput[inputIndex]! += sum;
  });
}

/** gradFilter[tap, c, f] += Σ input[cell', c] · gradOutput[cell, f]; gradFilter must start at 0. */
export function conv3dBackwardFilter(
  input: Float32Array,
  gradOutput: Float32Array,
  gradFilter: Float32Array,
  geometry: Conv3dGeometry,
): void {
  const filters = geometry.outChannels;
  walkTapChannels(geometry, (inputIndex, outputRow, weightRow) => {
    const value = input[inputIndex]!;
    for (let f = 0; f < filters; f++) gradFilter[weightRow + f]! += value * gradOutput[outputRow + f]!;
  });
}

/** gradBias[f] = Σ cells gradOutput[cell, f]. */
export function conv3dBackwardBias(gradOutput: Float32Array, gradBias: Float32Array): void {
  const filters = gradBias.length;
  gradBias.fill(0);
  for (let index = 0; index < gradOutput.length; index++) gradBias[index % filters]! += gradOutput[index]!;
}
