// The WebAssembly training kernels: matmul and conv2d forward and backward as packed, register-
// blocked matrix products (assembly/train/), convolutions through implicit im2col. Tensors are read
// and written in place in the shared heap; only packing copies, into reused scratch memory. Shallow
// VALID convolutions go direct (train-direct.ts); relu and the optimizer updates: train-elementwise.ts.
import { heap } from '../../tensor/heap.js';
import type { ConvGeometry, LayoutKernels, MatmulOptions, TrainKernels } from '../types.js';
import * as trainModule from './generated/train.js';
import { loadKernelModule, simdSupported, type KernelModule } from './loader.js';
import { addressOf, keepViews } from './pool-arguments.js';
import { balancedUnitCount, getThreadCount, parallelFor } from './threads.js';
import { registerThreadModule } from './threads.js';
import {
  conv2dBackwardFilterDirect,
  directConvApplies,
  filterDepth,
  outputPixels,
  runDirectForward,
  writeDirectConvolution,
} from './train-direct.js';
import { createElementwiseKernels, reluInPlace, withMaskedGradient } from './train-elementwise.js';
import { createLayoutKernels } from './transpose-planes.js';
import {
  AKind,
  DEPTH_BLOCK,
  Init,
  ROW_BLOCK,
  Word,
  backwardInputSlotBytes,
  packedBBytes,
  placeScratch,
  roundUp,
  rowsSlotBytes,
  splitDepthSlotBytes,
  writeConvGeometry,
  writeProduct,
  type Product,
} from './train-arguments.js';

/** What a product costs, in the thread pool's currency (bytes moved): its bytes plus its flops / 2. */
const work = ({ m, k, n }: Product): number => 4 * (m * k + k * n + m * n) + (m * n * k) / 2;

/** Packs op(B) whole, then runs (row block, column chunk) units: for products with many rows or columns. */
function multiplyByRows(train: KernelModule, product: Product, geometry: ConvGeometry | null): void {
  const { m, k, n } = product;
  const columnChunk = n <= 512 ? roundUp(n, 8) : 256;
  const columnChunks = Math.ceil(n / columnChunk);
  const slots = getThreadCount();
  placeScratch(train, { packedBBytes: packedBBytes(k, n), partialBytes: 0, slotBytes: rowsSlotBytes(k), slots });
  const words = writeProduct(train, product);
  if (geometry !== null) writeConvGeometry(words, geometry);
  words[Word.ColumnChunk] = columnChunk;
  words[Word.ColumnChunks] = columnChunks;
  parallelFor(train, 'packB', Math.ceil(n / 8), 8 * k * n);
  parallelFor(train, 'multiplyRows', Math.ceil(m / ROW_BLOCK) * columnChunks, work(product));
}

/** Splits k into chunks, each summed into its own partial C by whichever thread takes it, then adds the partials: small C, long k. */
function multiplyByDepth(train: KernelModule, product: Product, geometry: ConvGeometry | null): void {
  const { m, k, n } = product;
  const slots = getThreadCount();
  const chunk = roundUp(Math.ceil(k / balancedUnitCount()), DEPTH_BLOCK);
  const units = Math.ceil(k / chunk);
  placeScratch(train, {
    packedBBytes: 0,
    partialBytes: 4 * units * m * n,
    slotBytes: splitDepthSlotBytes(m, n),
    slots,
  });
  const words = writeProduct(train, product);
  if (geometry !== null) writeConvGeometry(words, geometry);
  words[Word.DepthChunk] = chunk;
  words[Word.PartialCount] = units;
  parallelFor(train, 'multiplySplitDepth', units, work(product));
  parallelFor(train, 'sumPartials', m, 8 * (units + 1) * m * n);
}

/**
 * The depth split when there are too few row units to share out against the threads and k is long,
 * or when a row block packed over the whole k would need more than 16 MiB of scratch.
 */
function splitsDepth({ m, k, n }: Product): boolean {
  const threads = getThreadCount();
  const rowUnits = Math.ceil(m / ROW_BLOCK) * Math.ceil(n / (n <= 512 ? n : 256));
  const fewRows = threads > 1 && rowUnits < 2 * threads && k >= 2 * DEPTH_BLOCK * threads;
  return fewRows || rowsSlotBytes(k) > 16 * 1024 * 1024;
}

function matmul(
  train: KernelModule,
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  options: MatmulOptions,
): void {
  const { m, k, n, transposeA, transposeB, accumulate } = options;
  if (m === 0 || n === 0) return;
  if (k === 0) {
    if (!accumulate) out.fill(0, 0, m * n);
    return;
  }
  const product: Product = {
    aKind: transposeA ? AKind.Transposed : AKind.Plain,
    bTransposed: transposeB,
    m,
    k,
    n,
    a: addressOf(a),
    b: addressOf(b),
    c: addressOf(out),
    bias: 0,
    init: accumulate ? Init.Load : Init.Zero,
  };
  if (splitsDepth(product)) multiplyByDepth(train, product, null);
  else multiplyByRows(train, product, null);
}

/** output = im2col(input)·filter (+ bias), relu'd when asked: HWIO is already the [kh·kw·c, o] matrix. */
function conv2dForward(
  train: KernelModule,
  input: Float32Array,
  filter: Float32Array,
  bias: Float32Array | null,
  output: Float32Array,
  geometry: ConvGeometry,
  relu: boolean,
): void {
  const product: Product = {
    aKind: AKind.Im2col,
    bTransposed: false,
    m: outputPixels(geometry),
    k: filterDepth(geometry),
    n: geometry.outChannels,
    a: addressOf(input),
    b: addressOf(filter),
    c: addressOf(output),
    bias: bias === null ? 0 : addressOf(bias),
    init: bias === null ? Init.Zero : Init.Bias,
  };
  if (product.m === 0 || product.n === 0) return;
  if (product.k === 0) {
    for (let index = 0; index < product.m * product.n; index++) output[index] = bias?.[index % product.n] ?? 0;
  } else if (directConvApplies(geometry)) {
    writeDirectConvolution(train, input, filter, bias, output, geometry, relu);
    runDirectForward(train, geometry);
    return; // relu fused in the tiles' epilogue
  } else multiplyByRows(train, product, geometry);
  if (relu) reluInPlace(train, product.c, product.m * product.n);
}

/** gradInput = col2im(gradOutput·filterᵀ), a row block at a time; units are samples, so no two threads add to one cell. */
function conv2dBackwardInput(
  train: KernelModule,
  gradOutput: Float32Array,
  filter: Float32Array,
  gradInput: Float32Array,
  geometry: ConvGeometry,
): void {
  const gradInputAddress = addressOf(gradInput);
  const product: Product = {
    aKind: AKind.Plain,
    bTransposed: true,
    m: outputPixels(geometry),
    k: geometry.outChannels,
    n: filterDepth(geometry),
    a: addressOf(gradOutput),
    b: addressOf(filter),
    c: 0,
    bias: 0,
    init: Init.Zero,
  };
  const { m, k, n } = product;
  if (n === 0 || geometry.batch === 0) return;
  if (m === 0 || k === 0) {
    gradInput.fill(0, 0, geometry.batch * geometry.inHeight * geometry.inWidth * geometry.channels);
    return;
  }
  const slots = getThreadCount();
  placeScratch(train, {
    packedBBytes: packedBBytes(k, n),
    partialBytes: 0,
    slotBytes: backwardInputSlotBytes(k, n),
    slots,
  });
  const words = writeProduct(train, product);
  writeConvGeometry(words, geometry, gradInputAddress);
  parallelFor(train, 'packB', Math.ceil(n / 8), 8 * k * n);
  parallelFor(train, 'backwardInputSamples', geometry.batch, work(product) + 4 * gradInput.length);
}

/**
 * gradFilter = im2col(input)ᵀ·gradOutput: a small C summed over every output pixel, so k is split.
 * gradBias (when given) = Σ gradOutput over pixels: in the same pass on the direct path.
 */
function conv2dBackwardFilter(
  train: KernelModule,
  input: Float32Array,
  gradOutput: Float32Array,
  gradFilter: Float32Array,
  gradBias: Float32Array | null,
  geometry: ConvGeometry,
  reluOutput: Float32Array | null,
): void {
  const m = filterDepth(geometry);
  const k = outputPixels(geometry);
  const n = geometry.outChannels;
  if (m === 0 || n === 0) return;
  if (k === 0) {
    gradFilter.fill(0, 0, m * n);
    gradBias?.fill(0, 0, n);
  } else if (directConvApplies(geometry)) {
    conv2dBackwardFilterDirect(train, geometry, { input, gradOutput, gradFilter, gradBias, reluOutput });
  } else if (reluOutput !== null) {
    const views = keepViews(input, gradFilter, gradBias); // the mask's alloc may detach them
    withMaskedGradient(train, gradOutput, reluOutput, k * n, (masked) => {
      const [x, gf, gb] = views();
      conv2dBackwardFilter(train, x, masked, gf, gb, geometry, null);
    });
  } else {
    const product: Product = {
      aKind: AKind.Im2colTransposed,
      bTransposed: false,
      m,
      k,
      n,
      a: addressOf(input),
      b: addressOf(gradOutput),
      c: addressOf(gradFilter),
      bias: 0,
      init: Init.Zero,
    };
    multiplyByDepth(train, product, geometry);
    if (gradBias !== null) sumColumns(train, gradOutput, k, n, gradBias);
  }
}

/** out = Σ over rows of a [rows, n] matrix, as ones[1, rows]·matrix on the product kernels. */
function sumColumns(train: KernelModule, matrix: Float32Array, rows: number, n: number, out: Float32Array): void {
  const [b, c] = [addressOf(matrix), addressOf(out)]; // before the alloc, which may detach a non-shared heap's views
  const a = heap.alloc(4 * rows);
  new Float32Array(heap.memory.buffer, a, rows).fill(1);
  const product: Product = {
    aKind: AKind.Plain,
    bTransposed: false,
    m: 1,
    k: rows,
    n,
    a,
    b,
    c,
    bias: 0,
    init: Init.Zero,
  };
  if (splitsDepth(product)) multiplyByDepth(train, product, null);
  else multiplyByRows(train, product, null);
  heap.free(a, 4 * rows);
}

/** The training kernels of the train module alone; the convolution-with-max-pool pair also needs the pool kernels (train-conv-pool.ts). */
export type TrainModuleKernels = Omit<TrainKernels, 'conv2dMaxPoolForward' | 'conv2dMaxPoolBackwardFilter'>;

export function createTrainKernels(train: KernelModule): TrainModuleKernels {
  return {
    matmul: (a, b, out, options) => matmul(train, a, b, out, options),
    conv2dForward: (input, filter, bias, output, geometry, relu = false) =>
      conv2dForward(train, input, filter, bias, output, geometry, relu),
    conv2dBackwardInput: (gradOutput, filter, gradInput, geometry) =>
      conv2dBackwardInput(train, gradOutput, filter, gradInput, geometry),
    conv2dBackwardFilter: (input, gradOutput, gradFilter, geometry, gradBias = null, reluOutput = null) =>
      conv2dBackwardFilter(train, input, gradOutput, gradFilter, gradBias, geometry, reluOutput),
    ...createElementwiseKernels(train),
  };
}

/** The train module, loaded at import where the engine validates SIMD; null (reference kernels) elsewhere. */
export const trainKernelModule: KernelModule | null =
  typeof WebAssembly === 'object' && simdSupported(trainModule) ? await loadKernelModule('train', trainModule) : null;
if (trainKernelModule !== null) registerThreadModule(trainKernelModule);

export const wasmTrainKernels: Partial<TrainModuleKernels> =
  trainKernelModule === null ? {} : createTrainKernels(trainKernelModule);

/** The layout kernel (transposePlanes), also of the train module. */
export const wasmLayoutKernels: Partial<LayoutKernels> =
  trainKernelModule === null ? {} : createLayoutKernels(trainKernelModule);
