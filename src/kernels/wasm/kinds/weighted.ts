// The weighted family's WebAssembly kernels (assembly/kinds/weighted/): SoftPool and GeM (windowed
// and global), each window's weights from a SIMD e^x and ln x. Forward kernels run over output
// rows; backward kernels first write each window's statistics to a heap scratch (output rows),
// then gather each input cell's gradient from them (input rows), so no two threads write one cell.
import type { PoolGeometry } from '../../../geometry/pool-geometry.js';
import { heap } from '../../../tensor/heap.js';
import type { PoolingKernels } from '../../types.js';
import { argumentViews, type KernelModule } from '../loader.js';
import { addressOf, keepViews, writePoolGeometry } from '../pool-arguments.js';
import { bytes, inputRows, outputRows } from '../pool-kernels.js';
import { parallelFor } from '../threads.js';

/** The family's words of the argument block (assembly/kinds/weighted/arguments.ts). */
const enum Field {
  /** assembly/pool/arguments.ts's INPUT and OUTPUT, for the math probe. */
  Input = 25,
  Output = 26,
  Weights = 48,
  PerChannel = 49,
  Stats = 50,
  StatsPlaneBytes = 51,
  RowTerms = 52,
  GradWeights = 53,
  MathMode = 54,
}

/** The tensors of one call, in this order; null where the kernel has none. */
interface Tensors {
  input: Float32Array;
  output: Float32Array | null;
  gradOutput: Float32Array | null;
  gradInput: Float32Array | null;
  /** The parameter (p or r) and its gradient. */
  weights: Float32Array | null;
  gradWeights: Float32Array | null;
}

/** What a backward needs besides the tensors: statistics planes per output element, f64 terms per output row. */
interface ScratchSize {
  planes: number;
  rowTerms: boolean;
}

const outputElements = (geometry: PoolGeometry): number =>
  geometry.outputShape.reduce((total, size) => total * size, 1);

/** Output channels one output row holds: all of them in channels-last, one in channels-first. */
const rowGroup = (geometry: PoolGeometry): number => (geometry.channelsLast ? geometry.channels : 1);

/**
 * Allocates the scratch, writes the geometry, the tensors' addresses and the family's words; returns
 * the function that frees what was allocated. Allocation may grow the heap, which detaches the views
 * of a non-shared memory: the addresses are taken after it, from views kept across it.
 */
function writeCall(kinds: KernelModule, geometry: PoolGeometry, tensors: Tensors, scratch: ScratchSize): () => void {
  const statsBytes = scratch.planes * 4 * outputElements(geometry);
  const termsBytes = scratch.rowTerms ? 8 * outputRows(geometry) * rowGroup(geometry) : 0;
  const kept = keepViews(
    tensors.input,
    tensors.output,
    tensors.gradOutput,
    tensors.gradInput,
    tensors.weights,
    tensors.gradWeights,
  );
  const stats = heap.alloc(statsBytes);
  const terms = heap.alloc(termsBytes);
  const [input, output, gradOutput, gradInput, weights, gradWeights] = kept();
  let releaseTables: () => void;
  try {
    releaseTables = writePoolGeometry(kinds, geometry, { input, output, gradOutput, gradInput });
  } catch (error) {
    heap.free(stats, statsBytes);
    heap.free(terms, termsBytes);
    throw error;
  }
  const words = argumentViews(kinds).ints;
  words[Field.Weights] = addressOf(weights);
  words[Field.PerChannel] = weights !== null && weights.length > 1 ? 1 : 0;
  words[Field.Stats] = stats;
  words[Field.StatsPlaneBytes] = 4 * outputElements(geometry);
  words[Field.RowTerms] = terms;
  words[Field.GradWeights] = addressOf(gradWeights);
  return () => {
    releaseTables();
    heap.free(stats, statsBytes);
    heap.free(terms, termsBytes);
  };
}

const noScratch: ScratchSize = { planes: 0, rowTerms: false };

/** Runs an export over the output rows: a forward, or a backward whose windows do not overlap. */
function runForward(kinds: KernelModule, name: string, geometry: PoolGeometry, tensors: Tensors): void {
  const release = writeCall(kinds, geometry, tensors, noScratch);
  const moved = bytes(tensors.input, tensors.output, tensors.gradOutput, tensors.gradInput);
  try {
    parallelFor(kinds, name, outputRows(geometry), moved, kinds.argumentBlock);
  } finally {
    release();
  }
}

/**
 * Runs a backward: `stats` over the output rows, then `reduce` (if any) once on this thread, then
 * `gather` over the input rows.
 */
function runBackward(
  kinds: KernelModule,
  names: { stats: string; reduce?: string; gather: string },
  geometry: PoolGeometry,
  tensors: Tensors,
  scratch: ScratchSize,
): void {
  const release = writeCall(kinds, geometry, tensors, scratch);
  const moved = bytes(tensors.input, tensors.gradOutput, tensors.gradInput);
  try {
    parallelFor(kinds, names.stats, outputRows(geometry), moved, kinds.argumentBlock);
    if (names.reduce !== undefined) kinds.exports[names.reduce]!(kinds.argumentBlock, 0, outputRows(geometry));
    parallelFor(kinds, names.gather, inputRows(geometry), moved, kinds.argumentBlock);
  } finally {
    release();
  }
}

/** Whether some input cell lies in two windows (else a backward writes each window's cells alone). */
function windowsOverlap(geometry: PoolGeometry): boolean {
  const axes = [
    [geometry.kernelDepth, geometry.strideDepth, geometry.dilationDepth, geometry.outDepth],
    [geometry.kernelHeight, geometry.strideHeight, geometry.dilationHeight, geometry.outHeight],
    [geometry.kernelWidth, geometry.strideWidth, geometry.dilationWidth, geometry.outWidth],
  ];
  return axes.some(([kernel, stride, dilation, outSize]) => outSize! > 1 && stride! < (kernel! - 1) * dilation! + 1);
}

/** The weighted family's kernels over the kinds module. */
export function createWeightedKernels(kinds: KernelModule): Partial<PoolingKernels> {
  return {
    softPoolForward(input, output, geometry) {
      runForward(kinds, 'softPoolRows', geometry, {
        input,
        output,
        gradOutput: null,
        gradInput: null,
        weights: null,
        gradWeights: null,
      });
    },
    softPoolBackward(input, gradOutput, gradInput, geometry) {
      const tensors = { input, output: null, gradOutput, gradInput, weights: null, gradWeights: null };
      if (!windowsOverlap(geometry)) return runForward(kinds, 'softFusedBackwardRows', geometry, tensors);
      runBackward(kinds, { stats: 'softStatsRows', gather: 'softBackwardRows' }, geometry, tensors, {
        planes: 3,
        rowTerms: false,
      });
    },
  };
}

/**
 * e^x (mode 'exp') or ln x ('log') of every element of `input` (a heap view whose length is a
 * multiple of 4) into `output` through the kernels' SIMD functions: for their accuracy tests.
 */
export function mathLanes(kinds: KernelModule, mode: 'exp' | 'log', input: Float32Array, output: Float32Array): void {
  const words = argumentViews(kinds).ints;
  words[Field.Input] = addressOf(input);
  words[Field.Output] = addressOf(output);
  words[Field.MathMode] = mode === 'log' ? 1 : 0;
  kinds.exports.mathLanes!(kinds.argumentBlock, 0, input.length / 4);
}
