// S3Pool: pooling with stochastic spatial sampling (Zhai, Wu, Kumar, Cheng, Lu, Zhang & Feris,
// CVPR 2017). Max pooling split in its two steps, the second made random in training.
//
// 1. m = maxPool(x, kernel k, stride 1, no padding): M = N − k + 1 cells per axis (max pooling's
//    rules: NaN propagates, the first of tied maxima wins).
// 2. Keep O = ⌈M/s⌉ rows of every spatial axis (the same rows in every plane of the call):
//    - inference (default): rows 0, s, 2s, … — the deterministic grid, so y equals maxPool(x, k, stride s);
//    - training: each axis is cut into blocks of g = gridSize cells (g a multiple of s; a last, shorter
//      block of r cells keeps ⌈r/s⌉), and each block keeps g/s of its rows drawn without replacement:
//      the first g/s of a random permutation of the block (Fisher–Yates), in ascending order.
//    Draws come from `seed` or `random`, axis by axis (depth, height, width), block by block — one set
//    of rows per call, shared by the batch, as the paper's code (Shuangfei/s3pool) draws them.
//    `rows` (one ascending list per axis) gives them instead, as PyTorch's _random_samples does.
// ∂y/∂x: all of each kept cell's gradient to its window's argmax. Differences from the paper's code:
// the code averages (average_exc_pad, padding s/2) at test time and folds a short last block into the
// one before; here inference keeps the grid (the rule, and the code's commented-out
// input[::s, ::s]) and a short last block keeps ⌈r/s⌉ rows, so training and inference shapes agree.
import { fail } from '../../errors.js';
import { adaptiveGeometry } from '../../geometry/adaptive-geometry.js';
import { perDimension, spatialSizes, type SpatialDims } from '../../geometry/layout.js';
import { poolGeometry, type PoolGeometry } from '../../geometry/pool-geometry.js';
import { activeBackendRuns, kernel } from '../../kernels/backend.js';
import {
  gridSampleForward,
  sampledMaxPoolForward,
  type GridSampleGeometry,
} from '../../kernels/reference/extra/s3-pool.js';
import type { Random } from '../../tensor/random.js';
import { Tensor, type Shape } from '../../tensor/tensor.js';
import { checkTraining, resolveRandom, type RandomPoolOptions } from '../arguments.js';
import { asPoolOptions, dataFormatOption, randomOptions } from '../common-options.js';
import { indicesLike, runPoolSteps } from '../compute.js';
import { rankedOps, type OpCall, type OpOptions } from '../kind.js';
import { slidingWindowKind } from '../kind-presets.js';
import type { DataFormat } from '../../geometry/layout.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { spatial, spatialSizesOf } from '../../formats/onnx/pool-nodes.js';
import { maxPoolNode, windowAxes } from '../../formats/onnx/pool-window.js';

export interface S3PoolOptions extends RandomPoolOptions {
  /** The dense max pooling's window (default 2). */
  kernelSize?: number | readonly number[];
  /** The downsampling factor s (default 2). */
  stride?: number | readonly number[];
  /** Block size g of the random rows, a multiple of the stride (default: the stride). */
  gridSize?: number | readonly number[];
  /** The kept rows of each spatial axis, given instead of drawn or gridded (as PyTorch's _random_samples). */
  rows?: readonly (readonly number[])[];
  dataFormat?: DataFormat;
}

interface S3Plan {
  readonly dense: PoolGeometry;
  readonly stride: readonly number[];
  readonly grid: readonly number[];
  /** The dense maxima as input, O = ⌈M/s⌉ cells per axis as output. */
  readonly sizes: ReturnType<typeof adaptiveGeometry>;
}

function s3Plan(op: string, shape: Shape, rank: SpatialDims, options: OpOptions): S3Plan {
  const kernelSize = options.kernelSize ?? 2;
  const dense = poolGeometry(op, shape, rank, asPoolOptions({ kernelSize, stride: 1, dataFormat: options.dataFormat }));
  const stride = perDimension(op, 'stride', options.stride ?? 2, rank, 1);
  const grid = perDimension(op, 'gridSize', options.gridSize ?? stride, rank, 1);
  if (grid.some((size, axis) => size % stride[axis]! !== 0))
    fail(op, 'gridSize', `must be a multiple of the stride (${stride.join(', ')}) on every axis`, options.gridSize);
  const format = dense.channelsLast ? 'channelsLast' : 'channelsFirst';
  const denseSizes = spatialSizes(dense.outputShape, rank, format);
  const outSizes = denseSizes.map((size, axis) => Math.ceil(size / stride[axis]!));
  return { dense, stride, grid, sizes: adaptiveGeometry(op, dense.outputShape, rank, outSizes, format) };
}

/** Rows 0, s, 2s, … of an axis with `size` cells. */
function gridRows(size: number, stride: number): Int32Array {
  return Int32Array.from({ length: Math.ceil(size / stride) }, (_, index) => index * stride);
}

/** Per block of `grid` cells, ⌈block/s⌉ rows drawn without replacement, ascending. */
function drawnRows(size: number, stride: number, grid: number, random: Random): Int32Array {
  const rows: number[] = [];
  for (let offset = 0; offset < size; offset += grid) {
    const block = Math.min(grid, size - offset);
    const kept = Array.from(random.permutation(block).subarray(0, Math.ceil(block / stride))).sort((a, b) => a - b);
    for (const row of kept) rows.push(offset + row);
  }
  return Int32Array.from(rows);
}

/** Given rows: one ascending list of ⌈M/s⌉ positions in 0..M−1 per spatial axis. */
function givenRows(
  op: string,
  rows: unknown,
  denseSizes: readonly number[],
  outSizes: readonly number[],
): Int32Array[] {
  const rule = `must hold one ascending list of rows per spatial axis, of lengths [${outSizes.join(', ')}] within [${denseSizes.join(', ')}]`;
  if (!Array.isArray(rows) || rows.length !== denseSizes.length) fail(op, 'rows', rule, rows);
  return (rows as unknown[]).map((list, axis) => {
    if (!Array.isArray(list) || list.length !== outSizes[axis]) fail(op, 'rows', rule, rows);
    const checked = Int32Array.from(list as number[]);
    const valid = (list as unknown[]).every(
      (row, index) =>
        Number.isInteger(row) &&
        (row as number) >= 0 &&
        (row as number) < denseSizes[axis]! &&
        (index === 0 || checked[index - 1]! < (row as number)),
    );
    if (!valid) fail(op, 'rows', rule, rows);
    return checked;
  });
}

function sampleGeometry(op: string, plan: S3Plan, options: OpOptions): GridSampleGeometry {
  const { dense, stride, grid, sizes } = plan;
  const format = dense.channelsLast ? 'channelsLast' : 'channelsFirst';
  const denseSizes = spatialSizes(dense.outputShape, dense.spatialDims, format);
  const outSizes = spatialSizes(sizes.outputShape, dense.spatialDims, format);
  const random = options.rows === undefined && checkTraining(op, options.training) ? resolveRandom(op, options) : null;
  const axes =
    options.rows !== undefined
      ? givenRows(op, options.rows, denseSizes, outSizes)
      : denseSizes.map((size, axis) =>
          random === null ? gridRows(size, stride[axis]!) : drawnRows(size, stride[axis]!, grid[axis]!, random),
        );
  const [depth, height, width] = [...Array<Int32Array>(3 - dense.spatialDims).fill(Int32Array.of(0)), ...axes];
  return Object.freeze({ ...sizes, rows: [depth!, height!, width!] as const });
}

function computeS3Pool({ op, input, options, rank }: OpCall): Tensor {
  const plan = s3Plan(op, input.shape, rank, options);
  const geometry = sampleGeometry(op, plan, options);
  const { dense } = plan;
  const planes = {
    channelsLast: dense.channelsLast,
    batch: dense.batch,
    channels: dense.channels,
    largeSpatial: dense.inDepth * dense.inHeight * dense.inWidth,
    smallSpatial: geometry.outDepth * geometry.outHeight * geometry.outWidth,
  };
  return runPoolSteps(op, [input], geometry.outputShape, {
    saved: [indicesLike(geometry.outputShape)],
    zeroGradients: true,
    bindsResident: true,
    forward: ({ inputs: [x], output, saved: [argmax] }) => {
      // One kernel (the kept windows only) where the active backend has its own (wasm, and the
      // reference, whose kernel is the two steps composed); elsewhere (webgpu) the two steps, which
      // keep their tensors on the device.
      if (activeBackendRuns('sampledMaxPoolForward')) {
        const sampled = { dense, sample: geometry };
        kernel('sampledMaxPoolForward')(x!.kernelValues, output.kernelValues, argmax!.kernelIntValues, sampled);
        return;
      }
      const [maxima, maximaArgmax] = [
        Tensor.allocate(dense.outputShape, 'float32', [x!]),
        Tensor.allocate(dense.outputShape, 'int32', [x!]),
      ];
      kernel('maxPoolForward')(x!.kernelValues, maxima.kernelValues, maximaArgmax.kernelIntValues, dense);
      kernel('gridSampleForward')(
        maxima.kernelValues,
        maximaArgmax.kernelIntValues,
        output.kernelValues,
        argmax!.kernelIntValues,
        geometry,
      );
      maxima.dispose();
      maximaArgmax.dispose();
    },
    backward: ({ saved: [argmax], gradOutput, gradInputs: [gradInput] }) =>
      kernel('argmaxScatterAdd')(gradOutput.kernelValues, argmax!.kernelIntValues, gradInput!.kernelValues, planes),
  }).output;
}

/**
 * Inference: the grid rows 0, s, 2s, … of the dense maxima are MaxPool with stride s (no padding);
 * rows given to an op are a Gather per axis of the dense (stride 1) MaxPool.
 */
function exportS3Pool(call: OnnxExportCall) {
  const plan = s3Plan(call.owner, call.inputShape, call.rank, call.options);
  const dense = windowAxes(plan.dense, call.rank);
  if (call.options.rows === undefined) {
    const { outSizes } = spatialSizesOf(plan.sizes, call.rank);
    return spatial(maxPoolNode(call, call.input, { ...dense, stride: plan.stride, outSize: outSizes }, false));
  }
  const rows = sampleGeometry(call.owner, plan, call.options).rows.slice(3 - call.rank);
  let sampled = maxPoolNode(call, call.input, dense, false);
  rows.forEach((axisRows, axis) => {
    const indices = call.graph.int64s(`${call.owner}/rows`, Array.from(axisRows));
    sampled = call.graph.apply('Gather', [sampled, indices], { axis: axis + 2 }, call.owner);
  });
  return spatial(sampled);
}

export const s3Kind = slidingWindowKind({
  names: ['s3', 's3Pool'],
  layoutFree: true,
  op: 's3Pool{rank}d',
  options: [
    {
      name: 'kernelSize',
      configName: 'poolSize',
      default: 2,
      inConfig: 'always',
      doc: 'Window of the dense (stride 1, unpadded) max pooling (layers: poolSize, default 2).',
      field: { type: 'pair', min: 1, demo: [2, 2] },
    },
    {
      name: 'stride',
      configName: 'strides',
      default: 2,
      inConfig: 'always',
      doc: 'Downsampling factor s: ⌈M/s⌉ rows of every axis are kept (layers: strides, default 2).',
      field: { type: 'pair', min: 1, demo: [2, 2] },
    },
    {
      name: 'gridSize',
      doc: 'Block size g of the random rows, a multiple of the stride (default: the stride); larger g distorts more.',
      field: { type: 'pair', min: 1, demo: [4, 4] },
    },
    {
      name: 'rows',
      configName: null,
      doc: 'The kept rows of each spatial axis, ascending, given instead of drawn (as PyTorch’s _random_samples).',
    },
    ...randomOptions,
    dataFormatOption,
  ],
  docs: {
    label: 'S3Pool',
    summary: 'Max pooling with stride 1, then rows kept at random in blocks (training) or on the grid (inference).',
    formula:
      'y = m[rows], m = maxPool(x, k, stride 1); rows: g/s drawn per block of g (training), 0, s, 2s, … (inference)',
    gradient: 'All of each kept cell’s gradient to its window’s argmax (first of tied maxima).',
    source: 'Zhai et al., "S3Pool: Pooling with Stochastic Spatial Sampling", CVPR 2017',
  },
  kernels: { gridSampleForward, sampledMaxPoolForward },
  outputShape: (op, shape, options, rank) => s3Plan(op, shape, rank, options).sizes.outputShape,
  compute: computeS3Pool,
  layer: { seedConfig: { poolSize: 2, strides: 2, gridSize: 2 } },
  onnx: { export: exportS3Pool },
});

/**
 * S3Pool over [batch, ...spatial, channels] (or channelsFirst).
 * @example s3Pool2d(x, { gridSize: 4, training: true, seed: 1 }) // random rows and columns
 * @example s3Pool2d(x) // inference: the grid, maxPool2d(x, { kernelSize: 2, stride: 2 })
 */
export type S3PoolOp = (input: Tensor, options?: S3PoolOptions) => Tensor;

export const [s3Pool1d, s3Pool2d, s3Pool3d] = rankedOps(s3Kind).as<S3PoolOp>();
