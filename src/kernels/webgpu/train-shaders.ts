// The WGSL of the training kernels. Matrix product and the three convolutions are one tiled product
// (32x32 output tiles, 16-deep slices of the inner dimension in workgroup memory, 4x4 outputs per
// invocation) whose operands each shader reads through its own loaders: the convolutions as implicit
// im2col products, so no unfolded copy exists. Each output sums its inner terms in ascending order
// in float32. relu, Adam and SGD (one invocation per element) are in elementwise-shaders.ts.
import { Param } from './params.js';
import { commonWgsl, header, reads, storageBindings, writes, type StorageArray } from './shader-common.js';
import { elementwiseShaders } from './elementwise-shaders.js';
import { lossShaders } from './loss-shaders.js';
import { stepShaders } from './train-step-shaders.js';
import { updateShaders } from './train-update-kernels.js';
import { TrainParam } from './train-params.js';

/** Invocations per tile of the product (each computes 4x4 of its 32x32 outputs). */
export const TILE_INVOCATIONS = 64;
export const TILE = 32;
/** Inner terms per slice held in workgroup memory. */
const DEPTH = 16;

const trainWgsl = /* wgsl */ `
fn productRows() -> u32 { return pu(${TrainParam.rows}u); }
fn productDepth() -> u32 { return pu(${TrainParam.depth}u); }
fn productColumns() -> u32 { return pu(${TrainParam.columns}u); }
fn flag(index: u32) -> bool { return p(index) != 0; }

/** A value of operand A and whether it exists (a padding tap or an index past the edge does not). */
fn term(value: f32, exists: bool) -> vec2<f32> { return vec2<f32>(select(0.0, value, exists), select(0.0, 1.0, exists)); }

/**
 * The input cell a convolution tap reads for output pixel 'outPixel' (b·OH·OW + oh·OW + ow) and
 * tap (kh·KW + kw): its flat pixel index b·H·W + h·W + w, or -1 in the padding.
 */
fn tapPixel(outPixel: u32, tap: u32) -> i32 {
  let outWidth = pu(${Param.outWidth}u);
  let outHeight = pu(${Param.outHeight}u);
  let kernelWidth = pu(${Param.kernelDepth + 2}u);
  let sample = i32(outPixel / (outWidth * outHeight));
  let row = i32((outPixel / outWidth) % outHeight) * p(${Param.strideDepth + 1}u) - p(${Param.padFront + 1}u)
    + i32(tap / kernelWidth) * p(${Param.dilationDepth + 1}u);
  let column = i32(outPixel % outWidth) * p(${Param.strideDepth + 2}u) - p(${Param.padFront + 2}u)
    + i32(tap % kernelWidth) * p(${Param.dilationDepth + 2}u);
  let inHeight = p(${Param.inHeight}u);
  let inWidth = p(${Param.inWidth}u);
  if (row < 0 || row >= inHeight || column < 0 || column >= inWidth) { return -1; }
  return (sample * inHeight + row) * inWidth + column;
}

/** The output pixel whose tap 'tap' reads input pixel 'inPixel', or -1 where none does. */
fn tapSource(inPixel: u32, tap: u32) -> i32 {
  let inWidth = p(${Param.inWidth}u);
  let inHeight = p(${Param.inHeight}u);
  let kernelWidth = pu(${Param.kernelDepth + 2}u);
  let sample = i32(inPixel) / (inWidth * inHeight);
  let rowSpan = (i32(inPixel) / inWidth) % inHeight + p(${Param.padFront + 1}u) - i32(tap / kernelWidth) * p(${Param.dilationDepth + 1}u);
  let columnSpan = i32(inPixel) % inWidth + p(${Param.padFront + 2}u) - i32(tap % kernelWidth) * p(${Param.dilationDepth + 2}u);
  let strideHeight = p(${Param.strideDepth + 1}u);
  let strideWidth = p(${Param.strideDepth + 2}u);
  if (rowSpan < 0 || columnSpan < 0 || rowSpan % strideHeight != 0 || columnSpan % strideWidth != 0) { return -1; }
  let outRow = rowSpan / strideHeight;
  let outColumn = columnSpan / strideWidth;
  if (outRow >= p(${Param.outHeight}u) || outColumn >= p(${Param.outWidth}u)) { return -1; }
  return (sample * p(${Param.outHeight}u) + outRow) * p(${Param.outWidth}u) + outColumn;
}
`;

/**
 * A product: the arrays it reads and writes (declarations, bound in this order after params, then
 * the partial sums), loadA(row, inner) -> term(...), loadB(inner, column) -> f32 and start(row,
 * column) in `functions`, and store(row, column, sum) in `store`, which alone the reduction reuses.
 */
interface Product {
  readonly inputs: readonly StorageArray[];
  readonly outputs: readonly StorageArray[];
  readonly functions: string;
  readonly store: string;
}

/** Where slice 'slice' of a split product keeps output (row, column)'s partial sum. */
const partialIndex =
  'fn partialIndex(slice: u32, row: u32, column: u32) -> u32 { return (slice * productRows() + row) * productColumns() + column; }';

/** Four sums of one output row: row 'row' of the tile, each column of 'b', a term only where 'valid'. */
const addRow = (sum: string, component: string): string =>
  `${sum} = ${sum} + select(vec4<f32>(0.0), a.${component} * b, valid.${component} != 0.0);`;

/**
 * The tiled product over productRows() x productColumns() outputs with productDepth() inner terms,
 * each output's terms added in ascending inner order. A workgroup computes a TILE x TILE block; its
 * 8x8 invocations 4x4 outputs each (four vec4 rows), from DEPTH-deep slices of both operands in
 * workgroup memory: A as [inner][row] with a validity flag per term, B as [inner][column].
 */
function tiledProduct(product: Product): string {
  const slots = TILE * DEPTH;
  const bindings = storageBindings([...product.inputs, ...product.outputs, writes('partials', 'f32')]);
  return `${commonWgsl}${trainWgsl}${bindings}${product.functions}${product.store}
${partialIndex}
var<workgroup> tileA: array<f32, ${slots}>;
var<workgroup> tileValid: array<f32, ${slots}>;
var<workgroup> tileB: array<f32, ${slots}>;

fn fourOf(tile: ptr<workgroup, array<f32, ${slots}>>, at: u32) -> vec4<f32> {
  return vec4<f32>((*tile)[at], (*tile)[at + 1u], (*tile)[at + 2u], (*tile)[at + 3u]);
}

@compute @workgroup_size(${TILE_INVOCATIONS})
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) local: u32) {
  let tile = group.x + group.y * (pu(${Param.threadsPerRow}u) / ${TILE_INVOCATIONS}u);
  let tileColumns = (productColumns() + ${TILE - 1}u) / ${TILE}u;
  let tilesPerSlice = ((productRows() + ${TILE - 1}u) / ${TILE}u) * tileColumns;
  if (tile >= tilesPerSlice * pu(${TrainParam.slices}u)) { return; }
  let slice = tile / tilesPerSlice;
  let innerStart = slice * pu(${TrainParam.sliceDepth}u);
  let innerEnd = min(productDepth(), innerStart + pu(${TrainParam.sliceDepth}u));
  let tileRow = ((tile % tilesPerSlice) / tileColumns) * ${TILE}u;
  let tileColumn = (tile % tileColumns) * ${TILE}u;
  let ownRow = (local / 8u) * 4u;
  let ownColumn = (local % 8u) * 4u;
  var sums: array<vec4<f32>, 4>;
  for (var rowInBlock = 0u; rowInBlock < 4u; rowInBlock++) {
    let row = tileRow + ownRow + rowInBlock;
    let column = tileColumn + ownColumn;
    if (slice == 0u) {
      sums[rowInBlock] = vec4<f32>(start(row, column), start(row, column + 1u), start(row, column + 2u), start(row, column + 3u));
    }
  }
  var sum0 = sums[0]; var sum1 = sums[1]; var sum2 = sums[2]; var sum3 = sums[3];
  for (var innerBase = innerStart; innerBase < innerEnd; innerBase += ${DEPTH}u) {
    for (var slot = local; slot < ${slots}u; slot += ${TILE_INVOCATIONS}u) {
      // A: consecutive invocations take consecutive inner terms of one row; B: consecutive columns.
      let row = tileRow + slot / ${DEPTH}u;
      let along = innerBase + slot % ${DEPTH}u;
      var term = vec2<f32>(0.0);
      if (row < productRows() && along < innerEnd) { term = loadA(row, along); }
      tileA[(slot % ${DEPTH}u) * ${TILE}u + slot / ${DEPTH}u] = term.x;
      tileValid[(slot % ${DEPTH}u) * ${TILE}u + slot / ${DEPTH}u] = term.y;
      let inner = innerBase + slot / ${TILE}u;
      let column = tileColumn + slot % ${TILE}u;
      var value = 0.0;
      if (inner < innerEnd && column < productColumns()) { value = loadB(inner, column); }
      tileB[slot] = value;
    }
    workgroupBarrier();
    for (var inner = 0u; inner < ${DEPTH}u; inner++) {
      let a = fourOf(&tileA, inner * ${TILE}u + ownRow);
      let valid = fourOf(&tileValid, inner * ${TILE}u + ownRow);
      let b = fourOf(&tileB, inner * ${TILE}u + ownColumn);
      // A missing term adds nothing, not 0·b: a padding tap times an infinite weight is not NaN.
      ${addRow('sum0', 'x')}
      ${addRow('sum1', 'y')}
      ${addRow('sum2', 'z')}
      ${addRow('sum3', 'w')}
    }
    workgroupBarrier();
  }
  sums = array<vec4<f32>, 4>(sum0, sum1, sum2, sum3);
  for (var rowInBlock = 0u; rowInBlock < 4u; rowInBlock++) {
    let row = tileRow + ownRow + rowInBlock;
    for (var columnInBlock = 0u; columnInBlock < 4u; columnInBlock++) {
      let column = tileColumn + ownColumn + columnInBlock;
      if (row >= productRows() || column >= productColumns()) { continue; }
      if (pu(${TrainParam.slices}u) == 1u) { store(row, column, sums[rowInBlock][columnInBlock]); }
      else { partials[partialIndex(slice, row, column)] = sums[rowInBlock][columnInBlock]; }
    }
  }
}`;
}

/** A split product's second pass, one invocation per output: its slices' partial sums in slice order, stored. */
function productReduce(product: Product): string {
  const bindings = storageBindings([...product.outputs, writes('partials', 'f32')]);
  return `${header(`${trainWgsl}${bindings}${product.store}\n${partialIndex}`)}
  let row = element / productColumns();
  let column = element % productColumns();
  var sum = partials[partialIndex(0u, row, column)];
  for (var slice = 1u; slice < pu(${TrainParam.slices}u); slice++) { sum = sum + partials[partialIndex(slice, row, column)]; }
  store(row, column, sum);
}`;
}

const matmul: Product = {
  inputs: [reads('a', 'f32'), reads('b', 'f32')],
  outputs: [writes('product', 'f32')],
  functions: `
fn loadA(row: u32, inner: u32) -> vec2<f32> { return term(a[row * pu(${TrainParam.aRow}u) + inner * pu(${TrainParam.aInner}u)], true); }
fn loadB(inner: u32, column: u32) -> f32 { return b[inner * pu(${TrainParam.bInner}u) + column * pu(${TrainParam.bColumn}u)]; }
fn start(row: u32, column: u32) -> f32 {
  if (!flag(${TrainParam.accumulate}u) || row >= productRows() || column >= productColumns()) { return 0.0; }
  return product[row * productColumns() + column];
}`,
  store: `
fn store(row: u32, column: u32, sum: f32) { product[row * productColumns() + column] = sum; }`,
};

/**
 * loadA's body for a convolution's implicit im2col operand: channel `channel` of the cell `pixel`
 * finds in `array` (cells of `channels` values, its parameter position), a missing term in the padding.
 */
function im2colTerm(array: string, channels: number, pixel: string, channel: string): string {
  return `  let channels = pu(${channels}u);
  let pixel = ${pixel};
  return term(${array}[u32(max(pixel, 0)) * channels + ${channel}], pixel >= 0);`;
}

/** Forward: rows are output pixels, inner terms (tap, channel), columns output channels. */
const convForward: Product = {
  inputs: [reads('input', 'f32'), reads('weights', 'f32'), reads('bias', 'f32')],
  outputs: [writes('output', 'f32')],
  functions: `
fn loadA(row: u32, inner: u32) -> vec2<f32> {
${im2colTerm('input', Param.channels, 'tapPixel(row, inner / channels)', 'inner % channels')}
}
fn loadB(inner: u32, column: u32) -> f32 { return weights[inner * productColumns() + column]; }
fn start(row: u32, column: u32) -> f32 {
  if (!flag(${TrainParam.accumulate}u) || column >= productColumns()) { return 0.0; }
  return bias[column];
}`,
  store: `
fn store(row: u32, column: u32, sum: f32) {
  // relu as reluForward: only a negative sum becomes 0 (NaN and -0 pass).
  output[row * productColumns() + column] = select(sum, 0.0, flag(${TrainParam.relu}u) && sum < 0.0);
}`,
};

/** Input gradient: rows are input pixels, inner terms (tap, output channel), columns input channels. */
const convBackwardInput: Product = {
  inputs: [reads('gradOutput', 'f32'), reads('weights', 'f32')],
  outputs: [writes('gradInput', 'f32')],
  functions: `
fn loadA(row: u32, inner: u32) -> vec2<f32> {
${im2colTerm('gradOutput', TrainParam.outChannels, 'tapSource(row, inner / channels)', 'inner % channels')}
}
fn loadB(inner: u32, column: u32) -> f32 {
  let outChannels = pu(${TrainParam.outChannels}u);
  return weights[((inner / outChannels) * productColumns() + column) * outChannels + inner % outChannels];
}
fn start(row: u32, column: u32) -> f32 { return 0.0; }`,
  store: `
fn store(row: u32, column: u32, sum: f32) { gradInput[row * productColumns() + column] = sum; }`,
};

/**
 * Filter gradient: rows are (tap, input channel), inner terms output pixels, columns output
 * channels; with a bias, one more row of ones gives the bias gradient (gradOutput's column sums).
 */
const convBackwardFilter: Product = {
  inputs: [reads('input', 'f32'), reads('gradOutput', 'f32'), reads('reluOutput', 'u32')],
  outputs: [writes('gradFilter', 'f32'), writes('gradBias', 'f32')],
  functions: `
fn loadA(row: u32, inner: u32) -> vec2<f32> {
  if (row >= filterRows()) { return term(1.0, true); }
${im2colTerm('input', Param.channels, 'tapPixel(inner, row / channels)', 'row % channels')}
}
fn loadB(inner: u32, column: u32) -> f32 {
  let index = inner * productColumns() + column;
  // reluBackward's mask on the output's bits: positive, not NaN.
  if (flag(${TrainParam.relu}u) && !(reluOutput[index] > 0u && reluOutput[index] <= 0x7f800000u)) { return 0.0; }
  return gradOutput[index];
}
fn start(row: u32, column: u32) -> f32 { return 0.0; }`,
  store: `
fn filterRows() -> u32 { return productRows() - select(0u, 1u, flag(${TrainParam.accumulate}u)); }
fn store(row: u32, column: u32, sum: f32) {
  if (row < filterRows()) { gradFilter[row * productColumns() + column] = sum; } else { gradBias[column] = sum; }
}`,
};

export const trainShaders: Readonly<Record<string, () => string>> = {
  matmul: () => tiledProduct(matmul),
  conv2dForward: () => tiledProduct(convForward),
  conv2dBackwardInput: () => tiledProduct(convBackwardInput),
  conv2dBackwardFilter: () => tiledProduct(convBackwardFilter),
  matmulReduce: () => productReduce(matmul),
  conv2dForwardReduce: () => productReduce(convForward),
  conv2dBackwardInputReduce: () => productReduce(convBackwardInput),
  conv2dBackwardFilterReduce: () => productReduce(convBackwardFilter),
  ...elementwiseShaders,
  ...lossShaders,
  ...stepShaders,
  ...updateShaders,
};
