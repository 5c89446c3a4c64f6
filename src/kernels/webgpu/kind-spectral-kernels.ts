// Spectral pooling (and DiffStride's masked crop and mask gradient) on the GPU as real matrix products
// (train-shaders.ts's matmul): each axis's crop is one complex matrix (spectral-matrices.ts, as the wasm
// kernels use it), applied to the planes as C = M·Xᵀ, which contracts the last axis and puts the
// result first: [planes, D, H, W] → [W', planes, D, H] → … → [D', H', W', planes]. Planes holding NaN
// or ±Infinity come out NaN, as the reference's FFT makes them. One job per call; float32 throughout.
import {
  addMaskGradients,
  keptGrid,
  spectralMaskBackward,
  spectralPoolBackward,
  spectralPoolForward,
  type SpectralGeometry,
} from '../reference/extra/spectral-pool.js';
import type { PoolingKernels } from '../types.js';
import { axisMatrix, dftMatrix } from '../wasm/kinds/filters/spectral-matrices.js';
import { KindParam } from './kind-walk.js';
import { floatParam, sizeParams, type GpuJob } from './params.js';
import { placeholder } from './protocol.js';
import { addProduct, JobBuilder, matmulParams } from './train-jobs.js';

export type SpectralGpuKernels = Pick<
  PoolingKernels,
  'spectralPoolForward' | 'spectralPoolBackward' | 'spectralMaskBackward'
>;
export type SpectralRunner = (kernel: keyof SpectralGpuKernels, job: GpuJob, fallback: () => void) => void;

type Sizes = [number, number, number];

/** One axis's matrix as float32 [rows, columns] arrays: real part, and imaginary and its negative (null when 0). */
interface AxisOperand {
  readonly re: Float32Array;
  readonly im: Float32Array | null;
  readonly negativeIm: Float32Array | null;
}

/** The float32 operands of the cached float64 matrices (spectral-matrices.ts keeps those per sizes and mask). */
const operands = new WeakMap<Float64Array, AxisOperand>();

function operand(values: Float64Array, real: boolean): AxisOperand {
  const kept = operands.get(values);
  if (kept !== undefined) return kept;
  const half = values.length / 2;
  const im = real || values.subarray(half).every((value) => value === 0) ? null : values.subarray(half);
  const made = {
    re: Float32Array.from(values.subarray(0, half)),
    im: im === null ? null : Float32Array.from(im),
    negativeIm: im === null ? null : Float32Array.from(im, (value) => -value),
  };
  operands.set(values, made);
  return made;
}

/** Builder indexes of a complex array (im null: all 0). */
interface Complex {
  readonly re: number;
  readonly im: number | null;
}

/** The job's builder, each matrix added once. */
class SpectralJob {
  readonly builder = new JobBuilder();
  private readonly matrices = new Map<Float32Array, number>();

  matrix(values: Float32Array): number {
    return this.matrices.get(values) ?? this.matrices.set(values, this.builder.add(values, 'read')).get(values)!;
  }

  /** out (+)= matrix · sourceᵀ: [rows, columns] times [rest, columns]ᵀ. */
  product(matrix: Float32Array, source: number, out: number, sizes: { m: number; k: number; n: number }, add: boolean) {
    const params = matmulParams({ ...sizes, transposeA: false, transposeB: true, accumulate: add });
    addProduct(this.builder, 'matmul', params, [this.matrix(matrix), source], [out]);
  }

  /**
   * Applies each axis's matrix (width first) to `source` (`planes` rows of `sizes` cells), ending in
   * [D', H', W', planes] of `targets`; the last axis's imaginary part only where `keepImaginary`.
   */
  applyAxes(
    source: Complex,
    planes: number,
    [sizes, targets]: [Sizes, Sizes],
    rank: number,
    matrixOf: (axis: number) => AxisOperand,
    keepImaginary: boolean,
  ): Complex {
    let [current, total] = [source, planes * sizes[0] * sizes[1] * sizes[2]];
    const axes = [2, 1, 0].slice(0, rank);
    axes.forEach((axis, step) => {
      const matrix = matrixOf(axis);
      const shape = { m: targets[axis]!, k: sizes[axis]!, n: total / sizes[axis]! };
      total = shape.m * shape.n;
      const re = this.builder.scratch(total);
      this.product(matrix.re, current.re, re, shape, false);
      if (current.im !== null && matrix.negativeIm !== null)
        this.product(matrix.negativeIm, current.im, re, shape, true);
      let im: number | null = null;
      const last = step === axes.length - 1;
      if (!last || keepImaginary) {
        if (current.im !== null || matrix.im !== null || last) im = this.builder.scratch(total);
        if (current.im !== null) this.product(matrix.re, current.im, im!, shape, false);
        if (matrix.im !== null) this.product(matrix.im, current.re, im!, shape, current.im !== null);
      }
      current = { re, im };
    });
    return current;
  }

  /** Flags `source`'s non-finite planes into `flags`, and returns its planes as rows (channels-last gathered). */
  rows(source: number, flags: number, params: Int32Array, geometry: SpectralGeometry, cells: number): number {
    const planes = geometry.batch * geometry.channels;
    this.builder.step('spectralKindFlags', params, [source, flags], planes);
    if (!geometry.channelsLast) return source;
    const rows = this.builder.scratch(planes * cells);
    this.builder.step('spectralKindPlanar', params, [source, rows], planes * cells);
    return rows;
  }
}

const inSizesOf = (g: SpectralGeometry): Sizes => [g.inDepth, g.inHeight, g.inWidth];
const outSizesOf = (g: SpectralGeometry): Sizes => [g.outDepth, g.outHeight, g.outWidth];
const cellsOf = (sizes: Sizes): number => sizes[0] * sizes[1] * sizes[2];

/** The shaders' parameters: the call's planes and layout, `source` sizes as the input's, `target` as the output's, N_in. */
function spectralParams(geometry: SpectralGeometry, source: Sizes, target: Sizes): Int32Array {
  const params = new Int32Array(KindParam.count);
  params.set(sizeParams(geometry));
  params.set([...source, ...target], 3);
  params[KindParam.coefficient] = floatParam(cellsOf(inSizesOf(geometry)));
  return params;
}

/** The crop (or, `backward`, its transpose) of `source` into `target`: one job. */
function cropJob(geometry: SpectralGeometry, source: Float32Array, target: Float32Array, backward: boolean): GpuJob {
  const [inSizes, outSizes] = [inSizesOf(geometry), outSizesOf(geometry)];
  const sizes: [Sizes, Sizes] = backward ? [outSizes, inSizes] : [inSizes, outSizes];
  const params = spectralParams(geometry, ...sizes);
  const job = new SpectralJob();
  const planes = geometry.batch * geometry.channels;
  const flags = job.builder.add(placeholder(planes, 'int32'), 'device');
  const rows = job.rows(job.builder.add(source, 'read'), flags, params, geometry, cellsOf(sizes[0]));
  const matrixOf = (axis: number) => {
    const matrix = axisMatrix(inSizes[axis]!, outSizes[axis]!, geometry.masks[axis] ?? null, backward);
    return operand(matrix.values, matrix.real);
  };
  const result = job.applyAxes({ re: rows, im: null }, planes, sizes, geometry.spatialDims, matrixOf, false);
  const output = job.builder.add(target, 'write');
  job.builder.step('spectralKindStore', params, [result.re, flags, output], target.length);
  return job.builder.job();
}

/**
 * DiffStride's mask gradient: Z = crop(DFT(x)) and G = DFT(∂L/∂y) as products, Σ over planes of
 * Re(Z·conj(G)) per output bin on the GPU (into `sums`); the per-axis weighting on the host.
 */
function maskJob(
  geometry: SpectralGeometry,
  input: Float32Array,
  gradOutput: Float32Array,
  sums: Float32Array,
): GpuJob {
  const [inSizes, outSizes] = [inSizesOf(geometry), outSizesOf(geometry)];
  const job = new SpectralJob();
  const planes = geometry.batch * geometry.channels;
  const flags = job.builder.add(placeholder(planes, 'int32'), 'device');
  const outParams = spectralParams(geometry, outSizes, outSizes);
  const inRows = job.rows(
    job.builder.add(input, 'read'),
    flags,
    spectralParams(geometry, inSizes, outSizes),
    geometry,
    cellsOf(inSizes),
  );
  const outRows = job.rows(job.builder.add(gradOutput, 'read'), flags, outParams, geometry, cellsOf(outSizes));
  const dft = (inSize: number, outSize: number) => operand(dftMatrix(inSize, outSize), false);
  const rank = geometry.spatialDims;
  const spectrum = job.applyAxes(
    { re: inRows, im: null },
    planes,
    [inSizes, outSizes],
    rank,
    (axis) => dft(inSizes[axis]!, outSizes[axis]!),
    true,
  );
  const gradient = job.applyAxes(
    { re: outRows, im: null },
    planes,
    [outSizes, outSizes],
    rank,
    (axis) => dft(outSizes[axis]!, outSizes[axis]!),
    true,
  );
  const bindings = [spectrum.re, spectrum.im!, gradient.re, gradient.im!, flags, job.builder.add(sums, 'write')];
  job.builder.step('spectralKindMaskSums', outParams, bindings, sums.length);
  return job.builder.job();
}

export function createSpectralGpuKernels(run: SpectralRunner): SpectralGpuKernels {
  return {
    spectralPoolForward(input, output, geometry) {
      run('spectralPoolForward', cropJob(geometry, input, output, false), () =>
        spectralPoolForward(input, output, geometry),
      );
    },
    spectralPoolBackward(gradOutput, gradInput, geometry) {
      run('spectralPoolBackward', cropJob(geometry, gradOutput, gradInput, true), () =>
        spectralPoolBackward(gradOutput, gradInput, geometry),
      );
    },
    spectralMaskBackward(input, gradOutput, gradMasks, geometry) {
      const sums = new Float32Array(cellsOf(outSizesOf(geometry)));
      let fellBack = false;
      run('spectralMaskBackward', maskJob(geometry, input, gradOutput, sums), () => {
        fellBack = true;
        spectralMaskBackward(input, gradOutput, gradMasks, geometry);
      });
      if (fellBack) return;
      // The per-plane products summed on the GPU stand as one plane's spectrum against a unit gradient.
      const zeros = new Float64Array(sums.length);
      const spectrum = { re: Float64Array.from(sums), im: zeros };
      addMaskGradients(
        spectrum,
        { re: new Float64Array(sums.length).fill(1), im: zeros },
        keptGrid(geometry),
        gradMasks,
        cellsOf(inSizesOf(geometry)),
      );
    },
  };
}
