// The weighted family's calls into the kinds module: the argument block a call writes (tensors,
// geometry, heap scratch for statistics, parameter terms and cells), a forward over output rows, a
// backward (fused where no cell lies in two windows, else statistics then gather) and the parameter
// terms summed in row order. weighted.ts builds the kernel table on them.
import type { PoolGeometry } from '../../../geometry/pool-geometry.js';
import { heap } from '../../../tensor/heap.js';
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
  Logits = 55,
  GradLogits = 56,
  Coefficient = 57,
  Option = 58,
  SecondWeights = 59,
  SecondPerChannel = 60,
  CellScratch = 61,
  CellPlaneBytes = 62,
}

/** The tensors of one call, in this order; null where the kernel has none. */
export interface Tensors {
  input: Float32Array;
  output: Float32Array | null;
  gradOutput: Float32Array | null;
  gradInput: Float32Array | null;
  /** The parameter (p, r, β or α) and its gradient. */
  weights: Float32Array | null;
  gradWeights: Float32Array | null;
  /** DPP: λ and the asymmetric reward (option 1). */
  secondWeights?: Float32Array;
  option?: number;
  /** AdaPool, DPP, GeM, LIP: the forward's room for the backward (forward-keep.ts), `keptPlanes` window planes first. */
  kept?: Float32Array;
  keptPlanes?: number;
  /** LIP: the logits z (the input's shape), their gradient, and λ of G = λ·sigmoid(z). */
  logits?: Float32Array;
  gradLogits?: Float32Array;
  coefficient?: number;
}

/** What a backward needs besides the tensors: statistics planes per output element, float64 terms, cell planes per input element. */
interface ScratchSize {
  planes: number;
  terms: number;
  cellPlanes?: number;
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
export function writeCall(
  kinds: KernelModule,
  geometry: PoolGeometry,
  tensors: Tensors,
  scratch: ScratchSize,
): () => void {
  const statsBytes = scratch.planes * 4 * outputElements(geometry);
  const termsBytes = 8 * scratch.terms;
  const cellBytes = 4 * (scratch.cellPlanes ?? 0) * tensors.input.length;
  const kept = keepViews(
    tensors.input,
    tensors.output,
    tensors.gradOutput,
    tensors.gradInput,
    tensors.weights,
    tensors.gradWeights,
    tensors.logits ?? null,
    tensors.gradLogits ?? null,
    tensors.secondWeights ?? null,
    tensors.kept ?? null,
  );
  const stats = heap.alloc(statsBytes);
  const terms = heap.alloc(termsBytes);
  const cells = heap.alloc(cellBytes);
  new Float64Array(heap.memory.buffer, terms, termsBytes / 8).fill(0);
  const [input, output, gradOutput, gradInput, weights, gradWeights, logits, gradLogits, secondWeights, room] = kept();
  let releaseTables: () => void;
  try {
    releaseTables = writePoolGeometry(kinds, geometry, { input, output, gradOutput, gradInput });
  } catch (error) {
    heap.free(stats, statsBytes);
    heap.free(terms, termsBytes);
    heap.free(cells, cellBytes);
    throw error;
  }
  const words = argumentViews(kinds).ints;
  words[Field.Weights] = addressOf(weights);
  words[Field.PerChannel] = weights !== null && weights.length > 1 ? 1 : 0;
  words[Field.Stats] = stats;
  words[Field.StatsPlaneBytes] = 4 * outputElements(geometry);
  words[Field.RowTerms] = terms;
  words[Field.GradWeights] = addressOf(gradWeights);
  words[Field.Logits] = addressOf(logits);
  words[Field.GradLogits] = addressOf(gradLogits);
  words[Field.SecondWeights] = addressOf(secondWeights);
  words[Field.SecondPerChannel] = secondWeights !== null && secondWeights.length > 1 ? 1 : 0;
  words[Field.Option] = tensors.option ?? 0;
  words[Field.CellScratch] = cells;
  if (room !== null) {
    // The room: window planes at STATS, then two planes of cells.
    words[Field.Stats] = addressOf(room);
    words[Field.CellScratch] = addressOf(room) + 4 * (tensors.keptPlanes ?? 0) * outputElements(geometry);
    words[Field.CellPlaneBytes] = 4 * input.length;
  }
  argumentViews(kinds).floats[Field.Coefficient] = tensors.coefficient ?? 0;
  return () => {
    releaseTables();
    heap.free(stats, statsBytes);
    heap.free(terms, termsBytes);
    heap.free(cells, cellBytes);
  };
}

/** Runs a forward export over the output rows. */
export function runForward(kinds: KernelModule, name: string, geometry: PoolGeometry, tensors: Tensors): void {
  const release = writeCall(kinds, geometry, tensors, { planes: 0, terms: 0 });
  try {
    parallelFor(kinds, name, outputRows(geometry), bytes(tensors.input, tensors.output), kinds.argumentBlock);
  } finally {
    release();
  }
}

/** A kind's three backward exports (assembly/kinds/weighted/soft.ts names them). */
export interface BackwardExports {
  /** Over output rows, where no input cell lies in two windows. */
  fused: string;
  /** Over output rows: each window's statistics, `planes` of them. */
  stats: string;
  /** Over input rows, after stats. */
  gather: string;
  planes: number;
  /** Per input element, for fused: a second value parked per cell. */
  cellPlanes?: number;
}

/**
 * How a kind's kernels leave its parameters' gradient terms: `count` float64 terms (zeroed first),
 * then `add` sums them into the gradients (the views as they are after the scratch allocation).
 */
export interface ParameterTerms {
  count: number;
  add: (terms: Float64Array, gradients: readonly Float32Array[]) => void;
}

/**
 * Runs a backward: fused where windows do not overlap, else statistics then gather; then the
 * parameters' terms are added to `gradients` (none without `parameterTerms`).
 */
export function runBackward(
  kinds: KernelModule,
  exports: BackwardExports,
  geometry: PoolGeometry,
  tensors: Tensors,
  parameterTerms: ParameterTerms | null = null,
  gradients: readonly Float32Array[] = [],
): void {
  const overlap = windowsOverlap(geometry);
  const keptGradients = keepViews(...gradients); // writeCall's allocations may detach them
  const terms = parameterTerms?.count ?? 0;
  const scratch = { planes: overlap ? exports.planes : 0, terms, cellPlanes: overlap ? 0 : exports.cellPlanes };
  const release = writeCall(kinds, geometry, tensors, scratch);
  const moved = bytes(tensors.input, tensors.gradOutput, tensors.gradInput);
  try {
    parallelFor(kinds, overlap ? exports.stats : exports.fused, outputRows(geometry), moved, kinds.argumentBlock);
    if (overlap) parallelFor(kinds, exports.gather, inputRows(geometry), moved, kinds.argumentBlock);
    if (parameterTerms !== null) {
      // The word is an address: past 2 GiB of heap it reads negative as int32, so read it unsigned.
      const address = argumentViews(kinds).ints[Field.RowTerms]! >>> 0;
      const view = new Float64Array(heap.memory.buffer, address, terms);
      parameterTerms.add(view, keptGradients());
    }
  } finally {
    release();
  }
}

/**
 * Terms per output row and channel of the row (`group`), `parameters` side by side in each row
 * (GeM's p; DPP's α then λ): summed in row order into each parameter's slot, one value or its channel.
 */
export function rowTerms(geometry: PoolGeometry, parameters: readonly Float32Array[]): ParameterTerms {
  const group = rowGroup(geometry);
  const rows = outputRows(geometry);
  const stride = group * parameters.length;
  const rowsPerPlane = geometry.outDepth * geometry.outHeight;
  const perChannel = parameters.map((parameter) => parameter.length > 1);
  return {
    count: rows * stride,
    add: (terms, gradients) =>
      gradients.forEach((gradient, parameter) => {
        const sums = new Float64Array(gradient.length);
        for (let row = 0; row < rows; row++) {
          const planeChannel = Math.floor(row / rowsPerPlane) % geometry.channels; // channels-first
          const base = row * stride + parameter * group;
          for (let channel = 0; channel < group; channel++) {
            const slot = !perChannel[parameter] ? 0 : geometry.channelsLast ? channel : planeChannel;
            sums[slot]! += terms[base + channel]!;
          }
        }
        sums.forEach((sum, slot) => (gradient[slot]! += sum));
      }),
  };
}

/** AdaPool's β terms: one per output cell of every sample (and channel plane), summed per β slot. */
export function cellTerms(geometry: PoolGeometry, beta: Float32Array): ParameterTerms {
  const cells = outputRows(geometry) * geometry.outWidth;
  const outSpatial = geometry.outDepth * geometry.outHeight * geometry.outWidth;
  const single = beta.length === 1; // read now: the scratch allocation may detach the view
  return {
    count: cells,
    add: (terms, [gradBeta]) => {
      const sums = new Float64Array(gradBeta!.length);
      for (let cell = 0; cell < cells; cell++) sums[single ? 0 : cell % outSpatial]! += terms[cell]!;
      sums.forEach((sum, slot) => (gradBeta![slot]! += sum));
    },
  };
}

/** Whether some input cell lies in two windows (else a backward writes each window's cells alone). */
export function windowsOverlap(geometry: PoolGeometry): boolean {
  const axes = [
    [geometry.kernelDepth, geometry.strideDepth, geometry.dilationDepth, geometry.outDepth],
    [geometry.kernelHeight, geometry.strideHeight, geometry.dilationHeight, geometry.outHeight],
    [geometry.kernelWidth, geometry.strideWidth, geometry.dilationWidth, geometry.outWidth],
  ];
  return axes.some(([kernel, stride, dilation, outSize]) => outSize! > 1 && stride! < (kernel! - 1) * dilation! + 1);
}

export const noTensors = { output: null, gradOutput: null, gradInput: null, weights: null, gradWeights: null };

/** The backward exports of `kind` by the naming assembly/kinds/weighted/ follows: kindFusedBackwardRows, ... */
export function backwardExports(kind: string, planes: number, cellPlanes = 0): BackwardExports {
  return {
    fused: `${kind}FusedBackwardRows`,
    stats: `${kind}StatsRows`,
    gather: `${kind}BackwardRows`,
    planes,
    cellPlanes,
  };
}

const mathModes = [
  'exp',
  'log',
  'expm1',
  'log1p',
  'expWeight',
  'expm1Pair',
  'logShort',
  'log1pNonPositive',
  // x/n by assembly/kinds/weighted/lanes.ts's perCell, for n = 1, 4, 6, 8, 16 (math-probe.ts).
  'perCell1',
  'perCell4',
  'perCell6',
  'perCell8',
  'perCell16',
] as const;
export type MathMode = (typeof mathModes)[number];

/**
 * e^x (mode 'exp'), ln x ('log'), e^x − 1 ('expm1') or ln(1 + x) ('log1p') of every element of `input` (a heap view whose length is a
 * multiple of 4) into `output` through the kernels' SIMD functions: for their accuracy tests.
 */
export function mathLanes(kinds: KernelModule, mode: MathMode, input: Float32Array, output: Float32Array): void {
  const words = argumentViews(kinds).ints;
  words[Field.Input] = addressOf(input);
  words[Field.Output] = addressOf(output);
  words[Field.MathMode] = mathModes.indexOf(mode);
  kinds.exports.mathLanes!(kinds.argumentBlock, 0, input.length / 4);
}
