// Runs one pooling on a one-channel image with the public API: forward (with argmax when the kind
// has it), backward from an all-ones upstream gradient, and the window geometry to draw.
import {
  adaptiveGeometry,
  backward,
  ones,
  poolGeometry,
  requireGrad,
  tensor,
  tidy,
  zeros,
  type AdaptiveGeometry,
  type AdaptiveOutputSize,
  type DataFormat,
  type PoolGeometry,
  type PoolOptions,
} from '../../src/index.js';
import type { Cell } from './grid-canvas.js';
import { opOptionsOf, outputGrid, runKind } from './kind-call.js';
import type { ExplorerKind, OptionValues } from './pool-kinds.js';

/** A one-channel image: row-major values. */
export interface Image {
  readonly values: Float32Array;
  readonly rows: number;
  readonly columns: number;
}

export interface PoolingResult {
  readonly output: Float32Array;
  readonly outRows: number;
  readonly outColumns: number;
  /** Output values per spatial cell, side by side in a row of the output map. */
  readonly outChannels: number;
  /** Flat input index of each output's argmax, when the kind returns indices. */
  readonly indices: Int32Array | null;
  /** d(sum of outputs)/d(input): the all-ones upstream gradient routed back. */
  readonly gradient: Float32Array | null;
  readonly gradientError: string | null;
  readonly geometry: PoolGeometry | null;
  readonly adaptive: AdaptiveGeometry | null;
}

function inputShape(image: Image): number[] {
  return [1, image.rows, image.columns, 1];
}

/** The windows to draw: poolGeometry's for sliding kinds, adaptive ones, else none (traced instead). */
function windowsOf(kind: ExplorerKind, shape: number[], values: OptionValues) {
  const options = opOptionsOf(kind.kind, values);
  const sliding = kind.window === 'sliding';
  const adaptive = kind.window === 'adaptive';
  return {
    geometry: sliding ? poolGeometry(kind.functionName, shape, 2, options as unknown as PoolOptions) : null,
    adaptive: adaptive
      ? adaptiveGeometry(
          kind.functionName,
          shape,
          2,
          options.outputSize as AdaptiveOutputSize,
          options.dataFormat as DataFormat | undefined,
        )
      : null,
  };
}

/** Forward, argmax and gradient; bad options throw the library's PoolkitArgumentError. */
export function runPooling(kind: ExplorerKind, image: Image, values: OptionValues): PoolingResult {
  const shape = inputShape(image);
  const windows = windowsOf(kind, shape, values);
  return tidy(() => {
    const input = requireGrad(tensor(image.values, shape));
    const { output, indices } = runKind(kind, input, values);
    const grid = outputGrid(output);
    const forward = {
      output: output.toFloat32Array(),
      outRows: grid.rows,
      outColumns: grid.columns,
      outChannels: grid.channels,
      indices: indices === null ? null : Int32Array.from(indices.intValues),
      ...windows,
    };
    try {
      backward(output, ones(output.shape));
      return { ...forward, gradient: input.grad!.toFloat32Array(), gradientError: null };
    } catch (error) {
      return { ...forward, gradient: null, gradientError: error instanceof Error ? error.message : String(error) };
    }
  });
}

/** Input cells whose gradient one output value reaches: what that output depends on. */
export function tracedCells(kind: ExplorerKind, image: Image, values: OptionValues, outIndex: number): Cell[] {
  return tidy(() => {
    const input = requireGrad(tensor(image.values, inputShape(image)));
    const { output } = runKind(kind, input, values);
    const upstream = zeros(output.shape);
    upstream.values[outIndex] = 1;
    backward(output, upstream);
    const cells: Cell[] = [];
    input.grad!.values.forEach((value, index) => {
      if (value !== 0) cells.push([Math.floor(index / image.columns), index % image.columns]);
    });
    return cells;
  });
}

/** The input cells (taps; may lie in the padding) of output (row, column) for a windowed kind. */
export function windowTaps(geometry: PoolGeometry, outRow: number, outColumn: number): Cell[] {
  const taps: Cell[] = [];
  for (let kernelRow = 0; kernelRow < geometry.kernelHeight; kernelRow++) {
    for (let kernelColumn = 0; kernelColumn < geometry.kernelWidth; kernelColumn++) {
      taps.push([
        outRow * geometry.strideHeight - geometry.padTop + kernelRow * geometry.dilationHeight,
        outColumn * geometry.strideWidth - geometry.padLeft + kernelColumn * geometry.dilationWidth,
      ]);
    }
  }
  return taps;
}

/** The cells of adaptive output (row, column): floor(i·In/Out) up to ceil((i+1)·In/Out). */
export function adaptiveCells(geometry: AdaptiveGeometry, outRow: number, outColumn: number): Cell[] {
  const span = (index: number, inSize: number, outSize: number): [number, number] => [
    Math.floor((index * inSize) / outSize),
    Math.ceil(((index + 1) * inSize) / outSize),
  ];
  const [rowStart, rowEnd] = span(outRow, geometry.inHeight, geometry.outHeight);
  const [columnStart, columnEnd] = span(outColumn, geometry.inWidth, geometry.outWidth);
  const cells: Cell[] = [];
  for (let row = rowStart; row < rowEnd; row++) {
    for (let column = columnStart; column < columnEnd; column++) cells.push([row, column]);
  }
  return cells;
}
