// The per-sample pieces of the global kinds with small matrices (attention, covariance): a batched
// product of small strided matrices (one invocation per output element, inner terms in ascending
// order in float32: the tiled `matmul` has no batch, offsets, scale or identity term, and these
// matrices are C×C per sample), and each (sample, channel)'s mean over the cells.
import type { PoolingSizes } from '../../geometry/layout.js';
import { floatParam, Param, sizeParams } from './params.js';
import { header, reads, storageBindings, writes } from './shader-common.js';
import type { JobBuilder } from './train-jobs.js';

/** Positions after the pooling block: the product's sizes, its operands' strides and its coefficients. */
export const SampleParam = {
  /** Products in the batch (each operand's `batch` stride apart). */
  matrices: Param.count,
  rows: Param.count + 1,
  depth: Param.count + 2,
  columns: Param.count + 3,
  /** A's strides: per matrix, row, inner term; B's: per matrix, inner term, column. */
  aBatch: Param.count + 4,
  aRow: Param.count + 5,
  aInner: Param.count + 6,
  bBatch: Param.count + 7,
  bInner: Param.count + 8,
  bColumn: Param.count + 9,
  /** out = scale·Σ + identity·[row = column] (+ out's own value where accumulate is 1); scale also 1/√C elsewhere. */
  scale: Param.count + 10,
  identity: Param.count + 11,
  accumulate: Param.count + 12,
  count: Param.count + 13,
} as const;

/** One operand of a product: the job's array index and its strides (A: batch, row, inner; B: batch, inner, column). */
export interface Strided {
  readonly array: number;
  readonly strides: readonly [batch: number, first: number, second: number];
}

export interface ProductShape {
  readonly matrices: number;
  readonly rows: number;
  readonly depth: number;
  readonly columns: number;
}

/** The sizes' parameters with room for the sample block, `scale` (float) in its slot. */
export function sampleParams(sizes: PoolingSizes, scale = 1): Int32Array {
  const params = new Int32Array(SampleParam.count);
  params.set(sizeParams(sizes));
  params[SampleParam.scale] = floatParam(scale);
  return params;
}

/**
 * Adds out[m, i, j] = scale·Σ_k A[m, i, k]·B[m, k, j] (+ identity where i = j, + out's value with
 * accumulate) over `shape`, `out` dense [matrices, rows, columns].
 */
export function addSampleProduct(
  builder: JobBuilder,
  sizes: PoolingSizes,
  shape: ProductShape,
  operands: { a: Strided; b: Strided; out: number },
  coefficients: { scale?: number; identity?: number; accumulate?: boolean } = {},
): void {
  const params = sampleParams(sizes, coefficients.scale ?? 1);
  params.set([shape.matrices, shape.rows, shape.depth, shape.columns], SampleParam.matrices);
  params.set([...operands.a.strides, ...operands.b.strides], SampleParam.aBatch);
  params[SampleParam.identity] = floatParam(coefficients.identity ?? 0);
  params[SampleParam.accumulate] = coefficients.accumulate ? 1 : 0;
  const work = shape.matrices * shape.rows * shape.columns;
  builder.step('sampleProduct', params, [operands.a.array, operands.b.array, operands.out], work);
}

/** Strides of a pooling input as [sample][cell][channel]: (per sample, per cell, per channel). */
export function cellStrides(sizes: PoolingSizes): [sample: number, cell: number, channel: number] {
  const cells = sizes.inDepth * sizes.inHeight * sizes.inWidth;
  return [cells * sizes.channels, sizes.channelsLast ? sizes.channels : 1, sizes.channelsLast ? 1 : cells];
}

/** WGSL the sample shaders share: float parameters, a NaN made at run time, and a sample's finiteness from its means. */
export const sampleWgsl = `
fn floatAt(index: u32) -> f32 { return bitcast<f32>(params[index]); }
fn sampleScale() -> f32 { return floatAt(${SampleParam.scale}u); }
/** WGSL rejects a NaN constant: made from a parameter at run time. */
fn runtimeNan() -> f32 { return bitcast<f32>(0x7fc00000u | (pu(0u) & 0u)); }
fn finiteBits(bits: u32) -> bool { return (bits & 0x7f800000u) != 0x7f800000u; }`;

/** Whether every mean of `sample` is finite (the mean shader makes it NaN where a cell is NaN or ±Infinity); binds `mean`. */
export const finiteSampleWgsl = `
fn sampleIsFinite(sample: u32) -> bool {
  let channels = pu(${Param.channels}u);
  for (var channel = 0u; channel < channels; channel++) {
    if (!finiteBits(bitcast<u32>(mean[sample * channels + channel]))) { return false; }
  }
  return true;
}`;

const product = `${header(
  sampleWgsl + storageBindings([reads('a', 'f32'), reads('b', 'f32'), writes('product', 'f32')]),
)}
  let rows = pu(${SampleParam.rows}u);
  let columns = pu(${SampleParam.columns}u);
  let matrix = element / (rows * columns);
  let row = (element / columns) % rows;
  let column = element % columns;
  let aBase = matrix * pu(${SampleParam.aBatch}u) + row * pu(${SampleParam.aRow}u);
  let bBase = matrix * pu(${SampleParam.bBatch}u) + column * pu(${SampleParam.bColumn}u);
  let aInner = pu(${SampleParam.aInner}u);
  let bInner = pu(${SampleParam.bInner}u);
  var sum: f32 = 0.0;
  for (var inner = 0u; inner < pu(${SampleParam.depth}u); inner++) {
    sum = sum + a[aBase + inner * aInner] * b[bBase + inner * bInner];
  }
  var result = sampleScale() * sum;
  if (row == column) { result = result + floatAt(${SampleParam.identity}u); }
  if (p(${SampleParam.accumulate}u) != 0) { result = result + product[element]; }
  product[element] = result;
}`;

/** mean[sample·C + channel] = Σ cells / n (a constant channel's value), NaN where a cell is NaN or ±Infinity (on bits: a GPU may assume neither exists). */
const mean = `${header(sampleWgsl + storageBindings([reads('input', 'u32'), writes('mean', 'f32')]))}
  let cells = inSpatial();
  let strides = stridesOf(cells);
  let channels = pu(${Param.channels}u);
  let base = (element / channels) * strides.x + (element % channels) * strides.y;
  var sum: f32 = 0.0;
  var finite = true;
  var constant = true;
  let first = input[base];
  for (var cell = 0u; cell < cells; cell++) {
    let bits = input[base + cell * strides.z];
    finite = finite && finiteBits(bits);
    constant = constant && bits == first;
    sum = sum + bitcast<f32>(bits);
  }
  // A constant channel's mean is its value, exactly as the reference's float64 mean: its centred cells are 0.
  mean[element] = select(runtimeNan(), select(sum / f32(cells), bitcast<f32>(first), constant), finite);
}`;

export const matrixShaders: Readonly<Record<string, () => string>> = {
  sampleProduct: () => product,
  sampleMean: () => mean,
};
