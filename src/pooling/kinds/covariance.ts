// Global covariance (second-order) pooling with the iterative matrix square root: iSQRT-COV (Li, Xie,
// Wang & Gao, "Towards Faster Training of Global Covariance Pooling Networks by Iterative Matrix Square
// Root Normalization", CVPR 2018), as its code fast-MPN-COV computes it (Covpool, Sqrtm, Triuvec).
//
// Per sample, with X the channels×n matrix of its n spatial cells: Σ = (1/n)·Xc·Xcᵀ, Xc = X minus each
// channel's mean; A = Σ / tr Σ; Y₀ = A, Z₀ = I, then N times P = 3I − Z·Y, Y ← ½·Y·P, Z ← ½·P·Z; the
// output is the upper triangle (row-major, diagonal included) of √(tr Σ)·Y_N: [batch, C(C+1)/2].
// Y_N → A^½ as N grows (A's eigenvalues lie in [0, 1], so the iteration converges), and the output to
// the triangle of Σ^½. The backward runs through every step in reverse (the paper's matrix rules).
// A sample whose covariance is 0 (one cell, or every channel constant) outputs zeros and passes a
// zero gradient (tr Σ = 0 leaves A undefined). NaN or ±Infinity anywhere in a sample makes its
// output NaN. The seed CNN's Conv→POOL→Flatten→Dense takes the C(C+1)/2 vector (528 for 32 channels).
import { fail } from '../../errors.js';
import type { DataFormat, SpatialDims } from '../../geometry/layout.js';
import { kernel } from '../../kernels/backend.js';
import {
  covarianceKeptLength,
  covariancePoolBackward,
  covariancePoolForward,
  type CovarianceGeometry,
} from '../../kernels/reference/extra/covariance-pool.js';
import type { Shape, Tensor } from '../../tensor/tensor.js';
import { dataFormatOption } from '../common-options.js';
import { runPoolSteps } from '../compute.js';
import { globalRank, globalSetUp } from '../global-steps.js';
import { type OpCall, type OpOptions } from '../kind.js';
import { clearedRoom } from './forward-keep.js';
import { standardKind } from '../kind-presets.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { planesAsRows, scalar } from '../../formats/onnx/pool-nodes.js';

export interface CovariancePoolOptions {
  /** Newton–Schulz iterations N (default 5, as the paper). */
  iterations?: number;
  dataFormat?: DataFormat;
}

function covarianceGeometry(op: string, shape: Shape, options: OpOptions): CovarianceGeometry {
  const iterations = options.iterations ?? 5;
  if (!Number.isInteger(iterations) || (iterations as number) < 1 || (iterations as number) > 100)
    fail(op, 'iterations', 'must be an integer from 1 to 100', iterations);
  const { geometry } = globalSetUp(op, shape, { dataFormat: options.dataFormat });
  const features = (geometry.channels * (geometry.channels + 1)) / 2;
  return Object.freeze({
    ...geometry,
    iterations: iterations as number,
    outputShape: Object.freeze([geometry.batch, features]),
  });
}

function computeCovariancePool({ op, input, options }: OpCall): Tensor {
  const geometry = covarianceGeometry(op, input.shape, options);
  // training: a room the fast forward keeps its matrices in for the backward (a quarter of the work)
  const room = input.requiresGrad ? [{ shape: [covarianceKeptLength(geometry)], dtype: 'float32' as const }] : [];
  return runPoolSteps(op, [input], geometry.outputShape, {
    saved: room,
    bindsResident: true,
    forward: ({ inputs: [x], output, saved: [kept] }) =>
      kernel('covariancePoolForward')(x!.kernelValues, output.kernelValues, geometry, clearedRoom(kept)),
    backward: ({ inputs: [x], gradOutput, gradInputs: [gradInput], saved: [kept] }) =>
      kernel('covariancePoolBackward')(
        x!.kernelValues,
        gradOutput.kernelValues,
        gradInput!.kernelValues,
        geometry,
        kept?.kernelValues,
      ),
  }).output;
}

/** The row-major positions of the upper triangle (diagonal included) of a size × size matrix. */
function upperTriangle(size: number): number[] {
  return Array.from({ length: size }, (_, row) =>
    Array.from({ length: size - row }, (_, offset) => row * size + row + offset),
  ).flat();
}

/**
 * Per sample, as the kernel: Σ = Xc·Xcᵀ/n (MatMul), A = Σ/tr Σ, N Newton–Schulz steps (MatMul), then
 * Gather of the upper triangle of √(tr Σ)·Y_N; 0 where tr Σ = 0.
 */
function exportCovariancePool(call: OnnxExportCall) {
  const { graph, owner } = call;
  const apply = (opType: string, inputs: string[], attributes = {}) => graph.apply(opType, inputs, attributes, owner);
  const { iterations } = covarianceGeometry(owner, call.inputShape, call.options);
  const { rows, channels, cells } = planesAsRows(call);
  const unit = new Float32Array(channels * channels).map((_, index) => (index % (channels + 1) === 0 ? 1 : 0));
  const identity = graph.floats(`${owner}/identity`, unit, [channels, channels]);
  const centred = apply('Sub', [rows, apply('ReduceMean', [rows, graph.int64s(`${owner}/cells_axis`, [2])])]);
  const products = apply('MatMul', [centred, apply('Transpose', [centred], { perm: [0, 2, 1] })]);
  const covariance = apply('Div', [products, scalar(call, 'cells', cells)]);
  const trace = apply('ReduceSum', [
    apply('Mul', [covariance, identity]),
    graph.int64s(`${owner}/matrix_axes`, [1, 2]),
  ]);
  const half = scalar(call, 'half', 0.5);
  let [y, z] = [apply('Div', [covariance, trace]), identity];
  for (let step = 0; step < iterations; step++) {
    const p = apply('Sub', [apply('Mul', [scalar(call, 'three', 3), identity]), apply('MatMul', [z, y])]);
    [y, z] = [apply('Mul', [half, apply('MatMul', [y, p])]), apply('Mul', [half, apply('MatMul', [p, z])])];
  }
  const flat = apply('Reshape', [y, graph.int64s(`${owner}/flat_shape`, [0, channels * channels])]);
  const triangle = apply('Gather', [flat, graph.int64s(`${owner}/triangle`, upperTriangle(channels))], { axis: 1 });
  const perSample = apply('Reshape', [trace, graph.int64s(`${owner}/trace_shape`, [-1, 1])]);
  const zero = scalar(call, 'zero', 0);
  const scaled = apply('Mul', [apply('Sqrt', [perSample]), triangle]);
  return { output: apply('Where', [apply('Equal', [perSample, zero]), zero, scaled]), layout: 'flat' as const };
}

export const covarianceKind = standardKind({
  names: ['covariance', 'iSqrtCov', 'secondOrder'],
  window: 'global',
  op: 'covariancePool',
  // The wasm kernel runs in f32 (f64 means): over 1-8 iterations its error stays under 3e-6 of the
  // largest output or gradient of a sample (measured on values of |x| ≤ 4), so 1e-4 absolute
  // covers values up to ~30 with a 10× margin; small entries need the absolute part, large ones
  // the relative. Samples f32 could overflow or underflow are computed by the reference there.
  tolerance: { relative: 1e-4, absolute: 1e-4 },
  options: [
    {
      name: 'iterations',
      default: 5,
      inConfig: 'always',
      doc: 'Newton–Schulz iterations of the matrix square root (default 5, as the paper).',
      field: { type: 'number', min: 1, max: 20, step: 1, demo: 5 },
    },
    dataFormatOption,
  ],
  docs: {
    label: 'Covariance pooling (iSQRT-COV)',
    summary:
      'The channel covariance over all positions, square-rooted by Newton–Schulz iterations; its upper triangle.',
    formula: 'Σ = XcXcᵀ/n, A = Σ/tr Σ, Y₀ = A, Z₀ = I, Y ← ½Y(3I − ZY), Z ← ½(3I − ZY)Z; y = triu(√(tr Σ)·Y_N)',
    gradient: 'Back through the triangle, the post-compensation, each iteration, the pre-normalisation and Σ.',
    source: 'Li, Xie, Wang & Gao, CVPR 2018 (iSQRT-COV; fast-MPN-COV)',
  },
  kernels: { covariancePoolForward, covariancePoolBackward },
  outputShape: (op, shape, options) => covarianceGeometry(op, shape, options).outputShape,
  compute: computeCovariancePool,
  layer: { className: 'GlobalCovariancePooling{rank}D' },
  onnx: { export: exportCovariancePool },
});

/**
 * iSQRT-COV pooling of [batch, ...spatial, channels] (or channelsFirst) to [batch, C(C+1)/2].
 * @example covariancePool(x, { iterations: 5 }) // [2, 26, 26, 32] → [2, 528]
 */
export function covariancePool(input: Tensor, options?: CovariancePoolOptions): Tensor {
  return covarianceKind.apply(input, [], options, globalRank(input) as SpatialDims);
}
