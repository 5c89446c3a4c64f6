// RoI max pooling (Girshick, Fast R-CNN), reference kernels: exactly torchvision's roi_pool and ONNX's
// MaxRoiPool (the same Caffe algorithm): the box is rounded to whole pixels, end inclusive, cut into
// outHeight × outWidth bins of floor/ceil extents, and each bin keeps its maximum, compared as the
// chosen library compares (they differ on NaN and on which of tied cells is the argmax).
import { f32, roiStrides, roundHalfAway, type RoiBoxes, type RoiGeometry } from './roi-geometry.js';

/** The largest finite float32: a non-empty bin starts from its negative (C's −FLT_MAX). */
const FLOAT_MAX = 3.4028234663852886e38;

export interface RoiPoolGeometry extends RoiGeometry {
  /**
   * 'torchvision': a cell replaces the running max when greater (`>`); 'onnx': ONNX Runtime's
   * std::max(cell, max), so a cell replaces it unless smaller.
   */
  readonly maxRule: 'torchvision' | 'onnx';
}

/** One bin's rows and columns in the image, [start, end), clipped to it. */
export interface BinExtent {
  rowStart: number;
  rowEnd: number;
  columnStart: number;
  columnEnd: number;
}

/** The extent of bin (outRow, outColumn) of box `box`, as both libraries compute it in float. */
export function binExtent(
  geometry: RoiGeometry,
  corners: Float32Array,
  box: number,
  outRow: number,
  outColumn: number,
): BinExtent {
  const scale = geometry.spatialScale;
  const [startColumn, startRow, endColumn, endRow] = [0, 1, 2, 3].map((corner) =>
    roundHalfAway(f32(corners[box * 4 + corner]! * scale)),
  ) as [number, number, number, number];
  // Malformed boxes (end before start) become one pixel.
  const binHeight = f32(Math.max(endRow - startRow + 1, 1) / geometry.outHeight);
  const binWidth = f32(Math.max(endColumn - startColumn + 1, 1) / geometry.outWidth);
  const clip = (value: number, size: number) => Math.min(Math.max(value, 0), size);
  return {
    rowStart: clip(Math.floor(f32(outRow * binHeight)) + startRow, geometry.inHeight),
    rowEnd: clip(Math.ceil(f32((outRow + 1) * binHeight)) + startRow, geometry.inHeight),
    columnStart: clip(Math.floor(f32(outColumn * binWidth)) + startColumn, geometry.inWidth),
    columnEnd: clip(Math.ceil(f32((outColumn + 1) * binWidth)) + startColumn, geometry.inWidth),
  };
}

/**
 * Each bin's maximum, and in `argmax` its flat spatial index (row·inWidth + column) in the box's
 * image plane (when given), −1 for none. Running from −FLT_MAX (0 for an empty bin, with argmax −1):
 * 'torchvision' takes a cell when greater, so the first of ties wins, NaN never does, and a bin of
 * NaN alone outputs −FLT_MAX with argmax −1; 'onnx' takes a cell unless smaller, so the last of
 * ties wins, a NaN takes over and the next number replaces it, and a bin of NaN alone outputs NaN.
 */
export function roiPoolForward(
  input: Float32Array,
  boxes: RoiBoxes,
  output: Float32Array,
  argmax: Int32Array | null,
  geometry: RoiPoolGeometry,
): void {
  const strides = roiStrides(geometry);
  const onnx = geometry.maxRule === 'onnx';
  for (let box = 0; box < geometry.boxCount; box++) {
    for (let outCell = 0; outCell < geometry.outHeight * geometry.outWidth; outCell++) {
      const bin = binExtent(
        geometry,
        boxes.corners,
        box,
        Math.floor(outCell / geometry.outWidth),
        outCell % geometry.outWidth,
      );
      const empty = bin.rowEnd <= bin.rowStart || bin.columnEnd <= bin.columnStart;
      for (let channel = 0; channel < geometry.channels; channel++) {
        const base = boxes.batchIndices[box]! * strides.input.batch + channel * strides.input.channel;
        let [best, bestIndex] = [empty ? 0 : -FLOAT_MAX, -1];
        for (let row = bin.rowStart; row < bin.rowEnd; row++) {
          for (let column = bin.columnStart; column < bin.columnEnd; column++) {
            const spatial = row * geometry.inWidth + column;
            const value = input[base + spatial * strides.input.spatial]!;
            if (onnx ? !(value < best) : value > best) [best, bestIndex] = [value, spatial];
          }
        }
        const outputIndex =
          box * strides.output.batch + channel * strides.output.channel + outCell * strides.output.spatial;
        output[outputIndex] = best;
        if (argmax !== null) argmax[outputIndex] = bestIndex;
      }
    }
  }
}

/** Adds each bin's gradient to its argmax cell (none for −1), box by box. gradInput must be zeroed first. */
export function roiPoolBackward(
  gradOutput: Float32Array,
  argmax: Int32Array,
  batchIndices: Int32Array,
  gradInput: Float32Array,
  geometry: RoiGeometry,
): void {
  const strides = roiStrides(geometry);
  for (let outputIndex = 0; outputIndex < gradOutput.length; outputIndex++) {
    const spatial = argmax[outputIndex]!;
    if (spatial < 0) continue;
    const box = Math.floor(outputIndex / strides.output.batch);
    const channel = Math.floor(outputIndex / strides.output.channel) % geometry.channels;
    const base = batchIndices[box]! * strides.input.batch + channel * strides.input.channel;
    gradInput[base + spatial * strides.input.spatial]! += gradOutput[outputIndex]!;
  }
}
