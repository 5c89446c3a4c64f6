// Writes a matrix product's (or convolution's) sizes and heap addresses into the train module's
// argument block, in the word layout of assembly/train/arguments.ts, and keeps the scratch memory
// (packed B, per-thread packed A, partial sums) that the kernels reuse from call to call.
import { heap } from '../../tensor/heap.js';
import type { ConvGeometry } from '../types.js';
import { argumentViews, type KernelModule } from './loader.js';

/** Word numbers: must equal assembly/train/arguments.ts. */
export const enum Word {
  AKind = 0,
  BTransposed = 1,
  M = 2,
  K = 3,
  N = 4,
  APointer = 5,
  BPointer = 6,
  CPointer = 7,
  BiasPointer = 8,
  Init = 9,
  PackedB = 10,
  Scratch = 11,
  ScratchBytes = 12,
  RowBlock = 14,
  ColumnChunk = 15,
  ColumnChunks = 16,
  DepthChunk = 17,
  Partials = 18,
  PartialCount = 19,
  Batch = 20,
  InHeight = 21,
  InWidth = 22,
  Channels = 23,
  OutHeight = 24,
  OutWidth = 25,
  KernelWidth = 26,
  StrideHeight = 27,
  StrideWidth = 28,
  DilationHeight = 29,
  DilationWidth = 30,
  PadTop = 31,
  PadLeft = 32,
  GradInput = 33,
  KernelHeight = 34,
}

/** How the kernels read op(A): a matrix, a transposed matrix, im2col rows of an NHWC input, or their transpose. */
export const enum AKind {
  Plain = 0,
  Transposed = 1,
  Im2col = 2,
  Im2colTransposed = 3,
}

/** How the first depth block starts each output tile. */
export const enum Init {
  Zero = 0,
  Load = 1,
  Bias = 2,
}

/** Must equal DEPTH_BLOCK in assembly/train/arguments.ts. */
export const DEPTH_BLOCK = 256;
/** Rows of C per unit of multiplyRows (a multiple of 4, the tile height). */
export const ROW_BLOCK = 64;
/** Each slot opens with the edge tile and the window origins of a row block (assembly/train/index.ts). */
const HEADER_BYTES = 1024;

export interface Product {
  readonly aKind: AKind;
  readonly bTransposed: boolean;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly bias: number;
  readonly init: Init;
}

export const roundUp = (value: number, step: number): number => Math.ceil(value / step) * step;

// Scratch sizes, each mirroring the layout its driver in assembly/train/index.ts uses (past the slot header).
/** Packed op(B), shared: k depth steps of the 8-column panels. */
export const packedBBytes = (k: number, n: number): number => 4 * k * roundUp(n, 8);
/** multiplyRows: a row block of packed A, every depth block. */
export const rowsSlotBytes = (k: number): number => 4 * ROW_BLOCK * k;
/** backwardInputSamples: packed A of a row block, then its dCols rows, padded to whole 8-column tiles. */
export const backwardInputSlotBytes = (k: number, n: number): number => 4 * ROW_BLOCK * (k + roundUp(n, 8));
/** multiplySplitDepth: one depth block of packed A (all m rows) and of packed B (all n columns). */
export const splitDepthSlotBytes = (m: number, n: number): number => 4 * DEPTH_BLOCK * (roundUp(m, 4) + roundUp(n, 8));

/** Writes the product's words; the block's other words keep their last values until set. */
export function writeProduct(train: KernelModule, product: Product): Int32Array {
  const words = argumentViews(train).ints;
  const { aKind, bTransposed, m, k, n, a, b, c, bias, init } = product;
  words.set([aKind, bTransposed ? 1 : 0, m, k, n, a, b, c, bias, init], Word.AKind); // words 0 to 9
  words[Word.RowBlock] = ROW_BLOCK;
  return words;
}

/** The convolution's sizes in their word order from Word.Batch (kernelHeight has a word of its own, after GradInput). */
const CONV_FIELDS = [
  'batch',
  'inHeight',
  'inWidth',
  'channels',
  'outHeight',
  'outWidth',
  'kernelWidth',
  'strideHeight',
  'strideWidth',
  'dilationHeight',
  'dilationWidth',
  'padTop',
  'padLeft',
] as const satisfies readonly (keyof ConvGeometry)[];

export function writeConvGeometry(words: Int32Array, geometry: ConvGeometry, gradInput = 0): void {
  if (!geometry.channelsLast || geometry.spatialDims !== 2) {
    throw new RangeError('conv2d kernels: geometry must be 2D channelsLast (NHWC input, HWIO filter)');
  }
  words.set(
    CONV_FIELDS.map((field) => geometry[field]),
    Word.Batch,
  );
  words[Word.GradInput] = gradInput;
  words[Word.KernelHeight] = geometry.kernelHeight;
}

/** Bytes of scratch a call needs: shared packed B, partial sums, then one slot per thread. */
export interface ScratchPlan {
  readonly packedBBytes: number;
  readonly partialBytes: number;
  readonly slotBytes: number;
  readonly slots: number;
}

let scratch = { offset: 0, bytes: 0 };

/**
 * Lays the plan out in the reused scratch region (grown, never shrunk, by half again at least) and
 * writes its addresses. Call after taking the tensors' addresses (growing the heap may detach a
 * non-shared memory's views) and before writeProduct.
 */
export function placeScratch(train: KernelModule, plan: ScratchPlan): void {
  const packedBBytes = roundUp(plan.packedBBytes, 64);
  const partialBytes = roundUp(plan.partialBytes, 64);
  const slotBytes = roundUp(plan.slotBytes + HEADER_BYTES, 64);
  const needed = packedBBytes + partialBytes + slotBytes * plan.slots;
  if (needed > scratch.bytes) {
    if (scratch.bytes > 0) heap.free(scratch.offset, scratch.bytes);
    const bytes = Math.max(needed, Math.ceil(scratch.bytes * 1.5));
    scratch = { offset: heap.alloc(bytes), bytes };
  }
  const words = argumentViews(train).ints; // after the alloc: views are renewed if the heap grew
  words[Word.PackedB] = scratch.offset;
  words[Word.Partials] = scratch.offset + packedBBytes;
  words[Word.Scratch] = scratch.offset + packedBBytes + partialBytes;
  words[Word.ScratchBytes] = slotBytes;
}

/** Gives the scratch region back to the heap (tests of memory accounting; the next call reallocates). */
export function releaseTrainScratch(): void {
  if (scratch.bytes > 0) heap.free(scratch.offset, scratch.bytes);
  scratch = { offset: 0, bytes: 0 };
}
