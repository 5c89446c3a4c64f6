// Spatial pyramid pooling (He, Zhang, Ren & Sun 2014), reference kernels: for every level L the
// input is max- or average-pooled to L×L adaptive windows (PyTorch's adaptive rule: cell i covers
// floor(i·In/L) .. ceil((i+1)·In/L) − 1), and the levels are concatenated per sample.
import { adaptiveEnd, adaptiveStart } from '../../../geometry/adaptive-geometry.js';
import { stridesOf } from '../../../geometry/layout.js';
import type { Shape } from '../../../tensor/tensor.js';

export interface SppGeometry {
  readonly channelsLast: boolean;
  readonly batch: number;
  readonly channels: number;
  readonly inHeight: number;
  readonly inWidth: number;
  /** Output side of each level, e.g. [1, 2, 4]. */
  readonly levels: readonly number[];
  /** Where each level starts in a sample's feature vector: channels·Σ earlier levels². */
  readonly levelOffsets: readonly number[];
  /** Features per sample: channels·Σ level². */
  readonly features: number;
  readonly inputShape: Shape;
  readonly outputShape: Shape;
}

export type SppMode = 'max' | 'average';

/** Element of the output [batch, features] for (sample, level, channel, cell): each level laid out like the input. */
function outputIndexOf(geometry: SppGeometry, level: number, plane: number, cell: number): number {
  const side = geometry.levels[level]!;
  const sample = Math.floor(plane / geometry.channels);
  const channel = plane % geometry.channels;
  const within = geometry.channelsLast ? cell * geometry.channels + channel : channel * side * side + cell;
  return sample * geometry.features + geometry.levelOffsets[level]! + within;
}

/** The adaptive window of `cell` of a level: [rowStart, rowStop, columnStart, columnStop). */
function cellWindow(geometry: SppGeometry, side: number, cell: number): [number, number, number, number] {
  const row = Math.floor(cell / side);
  const column = cell % side;
  return [
    adaptiveStart(row, side, geometry.inHeight),
    adaptiveEnd(row, side, geometry.inHeight),
    adaptiveStart(column, side, geometry.inWidth),
    adaptiveEnd(column, side, geometry.inWidth),
  ];
}

/** A cell's window and where it reads and writes: the input offset of its plane, its output element. */
interface PyramidCell {
  inBase: number;
  outputIndex: number;
  rowStart: number;
  rowStop: number;
  columnStart: number;
  columnStop: number;
}

/** Visits every cell of every level of every plane; `spatialStride` steps one input pixel. */
function forEachPyramidCell(geometry: SppGeometry, visit: (cell: PyramidCell, spatialStride: number) => void): void {
  const { batch, channels, inHeight, inWidth } = geometry;
  const strides = stridesOf(geometry.channelsLast, channels, inHeight * inWidth);
  for (let level = 0; level < geometry.levels.length; level++) {
    const side = geometry.levels[level]!;
    for (let plane = 0; plane < batch * channels; plane++) {
      const inBase = Math.floor(plane / channels) * strides.batch + (plane % channels) * strides.channel;
      for (let cell = 0; cell < side * side; cell++) {
        const [rowStart, rowStop, columnStart, columnStop] = cellWindow(geometry, side, cell);
        const outputIndex = outputIndexOf(geometry, level, plane, cell);
        visit({ inBase, outputIndex, rowStart, rowStop, columnStart, columnStop }, strides.spatial);
      }
    }
  }
}

/** Max (NaN propagates, first of ties; argmax = flat spatial index) or mean of every cell's window. */
export function sppForward(
  input: Float32Array,
  output: Float32Array,
  argmax: Int32Array | null,
  geometry: SppGeometry,
  mode: SppMode,
): void {
  const inWidth = geometry.inWidth;
  forEachPyramidCell(geometry, ({ inBase, outputIndex, rowStart, rowStop, columnStart, columnStop }, stride) => {
    let best = -Infinity;
    let bestIndex = -1;
    let sum = 0;
    for (let row = rowStart; row < rowStop; row++) {
      for (let column = columnStart; column < columnStop; column++) {
        const value = input[inBase + (row * inWidth + column) * stride]!;
        sum += value;
        if (bestIndex < 0) bestIndex = row * inWidth + column;
        if (value > best || Number.isNaN(value)) [best, bestIndex] = [value, row * inWidth + column];
      }
    }
    output[outputIndex] = mode === 'max' ? best : sum / ((rowStop - rowStart) * (columnStop - columnStart));
    if (argmax !== null) argmax[outputIndex] = bestIndex;
  });
}

/** Max: the gradient goes to the saved argmax; average: spread over the window. gradInput zeroed first. */
export function sppBackward(
  gradOutput: Float32Array,
  argmax: Int32Array | null,
  gradInput: Float32Array,
  geometry: SppGeometry,
  mode: SppMode,
): void {
  const inWidth = geometry.inWidth;
  forEachPyramidCell(geometry, ({ inBase, outputIndex, rowStart, rowStop, columnStart, columnStop }, stride) => {
    const gradient = gradOutput[outputIndex]!;
    if (mode === 'max') {
      const target = argmax![outputIndex]!;
      if (target >= 0) gradInput[inBase + target * stride]! += gradient;
      return;
    }
    const share = gradient / ((rowStop - rowStart) * (columnStop - columnStart));
    for (let row = rowStart; row < rowStop; row++) {
      for (let column = columnStart; column < columnStop; column++) {
        gradInput[inBase + (row * inWidth + column) * stride]! += share;
      }
    }
  });
}
