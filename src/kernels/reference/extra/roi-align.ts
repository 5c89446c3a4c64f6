// RoIAlign (He, Gkioxari, Dollár & Girshick, Mask R-CNN), reference kernels: exactly torchvision's
// roi_align and ONNX's RoiAlign as ONNX Runtime computes it, in float32 step by step. Each bin of a
// box is sampled on a grid of bilinearly interpolated points; 'average' averages the samples,
// 'max' (ONNX only) keeps the largest weighted corner term w·x of any sample.
import { f32, roiStrides, type RoiBoxes, type RoiGeometry } from './roi-geometry.js';

export interface RoiAlignGeometry extends RoiGeometry {
  /** Samples per bin along each axis; 0 or less: ceil(bin size) (adaptive). */
  readonly samplingRatio: number;
  /** torchvision's aligned = ONNX's half_pixel: shift the box by −0.5 and keep malformed boxes as they are. */
  readonly aligned: boolean;
  readonly mode: 'average' | 'max';
}

/** One box's frame: its first sample row and column, bin sizes, and the sampling grid of every bin. */
export interface AlignFrame {
  startRow: number;
  startColumn: number;
  binHeight: number;
  binWidth: number;
  gridRows: number;
  gridColumns: number;
  /** The average's divisor: gridRows·gridColumns, at least 1. */
  count: number;
}

/** A bin's samples: four plane positions and four bilinear weights each; `inside` is 0 for a sample off the image. */
export interface BinSamples {
  size: number;
  readonly positions: Int32Array;
  readonly weights: Float32Array;
  readonly inside: Uint8Array;
}

export function alignFrame(geometry: RoiAlignGeometry, corners: Float32Array, box: number): AlignFrame {
  const offset = geometry.aligned ? 0.5 : 0;
  const [startColumn, startRow, endColumn, endRow] = [0, 1, 2, 3].map((corner) =>
    f32(f32(corners[box * 4 + corner]! * geometry.spatialScale) - offset),
  ) as [number, number, number, number];
  let [height, width] = [f32(endRow - startRow), f32(endColumn - startColumn)];
  // Without alignment, malformed boxes become at least one pixel.
  if (!geometry.aligned) [height, width] = [Math.max(height, 1), Math.max(width, 1)];
  const binHeight = f32(height / geometry.outHeight);
  const binWidth = f32(width / geometry.outWidth);
  const adaptive = geometry.samplingRatio <= 0;
  const gridRows = adaptive ? Math.ceil(binHeight) : geometry.samplingRatio;
  const gridColumns = adaptive ? Math.ceil(binWidth) : geometry.samplingRatio;
  return {
    startRow,
    startColumn,
    binHeight,
    binWidth,
    gridRows,
    gridColumns,
    count: Math.max(gridRows * gridColumns, 1),
  };
}

export function createSamples(frame: AlignFrame): BinSamples {
  const capacity = Math.max(frame.gridRows * frame.gridColumns, 0);
  return {
    size: 0,
    positions: new Int32Array(capacity * 4),
    weights: new Float32Array(capacity * 4),
    inside: new Uint8Array(capacity),
  };
}

/** Fills `samples` with the grid of bin (outRow, outColumn), row-major, as both libraries place it. */
export function binSamples(
  geometry: RoiAlignGeometry,
  frame: AlignFrame,
  outRow: number,
  outColumn: number,
  samples: BinSamples,
): void {
  samples.size = 0;
  for (let gridRow = 0; gridRow < frame.gridRows; gridRow++) {
    const y = f32(
      f32(frame.startRow + f32(outRow * frame.binHeight)) +
        f32(f32((gridRow + 0.5) * frame.binHeight) / frame.gridRows),
    );
    for (let gridColumn = 0; gridColumn < frame.gridColumns; gridColumn++) {
      const x = f32(
        f32(frame.startColumn + f32(outColumn * frame.binWidth)) +
          f32(f32((gridColumn + 0.5) * frame.binWidth) / frame.gridColumns),
      );
      bilinear(y, x, geometry, samples);
    }
  }
}

/** Appends one sample: a point off the image by more than a pixel gets zero weights at position 0. */
function bilinear(sampleY: number, sampleX: number, geometry: RoiGeometry, samples: BinSamples): void {
  const { inHeight: height, inWidth: width } = geometry;
  const at = samples.size++;
  const inside = !(sampleY < -1 || sampleY > height || sampleX < -1 || sampleX > width);
  samples.inside[at] = inside ? 1 : 0;
  if (!inside) {
    samples.positions.fill(0, at * 4, at * 4 + 4);
    samples.weights.fill(0, at * 4, at * 4 + 4);
    return;
  }
  let [y, x] = [Math.max(sampleY, 0), Math.max(sampleX, 0)];
  let [rowLow, columnLow] = [Math.trunc(y), Math.trunc(x)];
  let [rowHigh, columnHigh] = [rowLow + 1, columnLow + 1];
  if (rowLow >= height - 1) [rowLow, rowHigh, y] = [height - 1, height - 1, height - 1];
  if (columnLow >= width - 1) [columnLow, columnHigh, x] = [width - 1, width - 1, width - 1];
  const [lowY, lowX] = [f32(y - rowLow), f32(x - columnLow)];
  const [highY, highX] = [f32(1 - lowY), f32(1 - lowX)];
  samples.positions.set(
    [
      rowLow * width + columnLow,
      rowLow * width + columnHigh,
      rowHigh * width + columnLow,
      rowHigh * width + columnHigh,
    ],
    at * 4,
  );
  samples.weights.set([f32(highY * highX), f32(highY * lowX), f32(lowY * highX), f32(lowY * lowX)], at * 4);
}

/** The average of a bin's samples in one plane: Σ (w1·x1 + w2·x2 + w3·x3 + w4·x4) / count, in float32. */
function binAverage(input: Float32Array, base: number, stride: number, samples: BinSamples, count: number): number {
  let total = 0;
  for (let sample = 0; sample < samples.size; sample++) {
    let sum = 0;
    for (let corner = sample * 4; corner < sample * 4 + 4; corner++) {
      const term = f32(samples.weights[corner]! * input[base + samples.positions[corner]! * stride]!);
      sum = corner === sample * 4 ? term : f32(sum + term);
    }
    total = f32(total + sum);
  }
  return f32(total / count);
}

/**
 * ONNX Runtime's max: per sample the largest of its four w·x, then the largest over samples, each
 * compared as C++'s std::max (a < b ? b : a: the first of ties stays; NaN stays once it leads and
 * never takes over, so a sample whose first term is NaN drops out); 0 with no samples. Returns the
 * value and the winning corner (sample·4 + corner), −1 with no samples.
 */
function binMax(input: Float32Array, base: number, stride: number, samples: BinSamples): [number, number] {
  const term = (corner: number) => f32(samples.weights[corner]! * input[base + samples.positions[corner]! * stride]!);
  let [best, bestCorner] = [0, -1];
  for (let sample = 0; sample < samples.size; sample++) {
    let [value, valueCorner] = [term(sample * 4), sample * 4];
    for (let corner = sample * 4 + 1; corner < sample * 4 + 4; corner++) {
      const candidate = term(corner);
      if (value < candidate) [value, valueCorner] = [candidate, corner];
    }
    if (bestCorner < 0 || best < value) [best, bestCorner] = [value, valueCorner];
  }
  return [best, bestCorner];
}

/** Visits every (box, bin, channel) with the bin's samples and where the plane starts in input and output. */
function walkBins(
  geometry: RoiAlignGeometry,
  boxes: RoiBoxes,
  visit: (samples: BinSamples, frame: AlignFrame, inputBase: number, outputIndex: number) => void,
): void {
  const strides = roiStrides(geometry);
  for (let box = 0; box < geometry.boxCount; box++) {
    const frame = alignFrame(geometry, boxes.corners, box);
    const samples = createSamples(frame);
    for (let outCell = 0; outCell < geometry.outHeight * geometry.outWidth; outCell++) {
      binSamples(geometry, frame, Math.floor(outCell / geometry.outWidth), outCell % geometry.outWidth, samples);
      for (let channel = 0; channel < geometry.channels; channel++) {
        const inputBase = boxes.batchIndices[box]! * strides.input.batch + channel * strides.input.channel;
        visit(
          samples,
          frame,
          inputBase,
          box * strides.output.batch + channel * strides.output.channel + outCell * strides.output.spatial,
        );
      }
    }
  }
}

export function roiAlignForward(
  input: Float32Array,
  boxes: RoiBoxes,
  output: Float32Array,
  geometry: RoiAlignGeometry,
): void {
  const stride = roiStrides(geometry).input.spatial;
  walkBins(geometry, boxes, (samples, frame, inputBase, outputIndex) => {
    output[outputIndex] =
      geometry.mode === 'max'
        ? binMax(input, inputBase, stride, samples)[0]
        : binAverage(input, inputBase, stride, samples, frame.count);
  });
}

/**
 * average: torchvision's backward, g·w/count to each corner of each sample on the image, in its
 * order; max: g·w to the winning corner (the derivative of w·x), none when it is off the image.
 * Writes gradInput whole (zeros, then the terms added: the op need not zero it first).
 */
export function roiAlignBackward(
  input: Float32Array,
  boxes: RoiBoxes,
  gradOutput: Float32Array,
  gradInput: Float32Array,
  geometry: RoiAlignGeometry,
): void {
  const stride = roiStrides(geometry).input.spatial;
  gradInput.fill(0);
  walkBins(geometry, boxes, (samples, frame, inputBase, outputIndex) => {
    const gradient = gradOutput[outputIndex]!;
    if (geometry.mode === 'max') {
      const corner = binMax(input, inputBase, stride, samples)[1];
      if (corner >= 0 && samples.inside[corner >> 2] === 1)
        gradInput[inputBase + samples.positions[corner]! * stride]! += f32(gradient * samples.weights[corner]!);
      return;
    }
    for (let corner = 0; corner < samples.size * 4; corner++) {
      if (samples.inside[corner >> 2] === 0) continue;
      gradInput[inputBase + samples.positions[corner]! * stride]! += f32(
        f32(gradient * samples.weights[corner]!) / frame.count,
      );
    }
  });
}
