// The webgpu kernels of covariance pooling (covariance-pool.ts), each one job of per-sample steps
// whose intermediates stay on the device: means, centred cells, Σ, the trace normalisation, the
// Newton–Schulz iterations as batched C×C products (kind-matrix-shaders.ts), then the triangle, or
// backward every iteration in reverse with the reference's matrix rules.
import type { PoolingSizes } from '../../geometry/layout.js';
import {
  covariancePoolBackward,
  covariancePoolForward,
  type CovarianceGeometry,
} from '../reference/extra/covariance-pool.js';
import type { PoolingKernels } from '../types.js';
import type { KindRunner } from './kind-kernels.js';
import { addSampleProduct, sampleParams, type Strided } from './kind-matrix-shaders.js';
import { JobBuilder } from './train-jobs.js';

/** A C×C matrix per sample, plain or transposed. */
const square = (array: number, size: number, transposed = false): Strided => ({
  array,
  strides: transposed ? [size * size, 1, size] : [size * size, size, 1],
});

/** The products of the batch's C×C matrices: out = scale·op(a)·op(b) (+ identity·I, + out). */
function matrixProduct(builder: JobBuilder, g: PoolingSizes) {
  const size = g.channels;
  const shape = { matrices: g.batch, rows: size, depth: size, columns: size };
  return (
    a: Strided,
    b: Strided,
    out: number,
    coefficients: { scale?: number; identity?: number; accumulate?: boolean } = {},
  ) => addSampleProduct(builder, g, shape, { a, b, out }, coefficients);
}

/** Σ, the trace, and Y_k, Z_k (k = 0..N), P_k (k = 1..N): the reference's sampleForward, every sample at once. */
function addForward(builder: JobBuilder, g: CovarianceGeometry, input: Float32Array) {
  const [size, cells] = [g.channels, g.inDepth * g.inHeight * g.inWidth];
  const matrixLength = g.batch * size * size;
  const x = builder.add(input, 'read');
  const mean = builder.scratch(g.batch * size);
  builder.step('sampleMean', sampleParams(g), [x, mean], g.batch * size);
  const centred = builder.scratch(g.batch * size * cells);
  builder.step('covarianceCentred', sampleParams(g), [x, mean, centred], input.length);
  const sigma = builder.scratch(matrixLength);
  addSampleProduct(
    builder,
    g,
    { matrices: g.batch, rows: size, depth: cells, columns: size },
    {
      a: { array: centred, strides: [size * cells, cells, 1] },
      b: { array: centred, strides: [size * cells, 1, cells] },
      out: sigma,
    },
    { scale: 1 / cells },
  );
  const traces = builder.scratch(g.batch);
  const [ys, zs, ps] = [[builder.scratch(matrixLength)], [builder.scratch(matrixLength)], [-1]];
  builder.step('covarianceNormalise', sampleParams(g), [sigma, traces, ys[0]!, zs[0]!], matrixLength);
  const multiply = matrixProduct(builder, g);
  for (let step = 1; step <= g.iterations; step++) {
    const [p, y, z] = [builder.scratch(matrixLength), builder.scratch(matrixLength), builder.scratch(matrixLength)];
    multiply(square(zs[step - 1]!, size), square(ys[step - 1]!, size), p, { scale: -1, identity: 3 });
    multiply(square(ys[step - 1]!, size), square(p, size), y, { scale: 0.5 });
    multiply(square(p, size), square(zs[step - 1]!, size), z, { scale: 0.5 });
    ys.push(y);
    zs.push(z);
    ps.push(p);
  }
  return { mean, centred, sigma, traces, ys, zs, ps };
}

/** Back through the iterations from ∂Y_N (∂Z_N = 0): newtonSchulzBackward's rules; returns ∂A's index. */
function addIterationsBackward(
  builder: JobBuilder,
  g: CovarianceGeometry,
  state: ReturnType<typeof addForward>,
  gradRoot: number,
): number {
  const size = g.channels;
  const matrixLength = g.batch * size * size;
  const multiply = matrixProduct(builder, g);
  const m = (array: number, transposed = false) => square(array, size, transposed);
  let [gradY, gradZ] = [gradRoot, builder.add(new Float32Array(matrixLength), 'read')];
  for (let step = g.iterations; step >= 1; step--) {
    const [y, z, p] = [state.ys[step - 1]!, state.zs[step - 1]!, state.ps[step]!];
    const [gradP, nextY, nextZ] = [
      builder.scratch(matrixLength),
      builder.scratch(matrixLength),
      builder.scratch(matrixLength),
    ];
    multiply(m(y, true), m(gradY), gradP, { scale: 0.5 }); // (Yᵀ·gY + gZ·Zᵀ)/2
    multiply(m(gradZ), m(z, true), gradP, { scale: 0.5, accumulate: true });
    multiply(m(z, true), m(gradP), nextY, { scale: -1 }); // gY·Pᵀ/2 − Zᵀ·gP
    multiply(m(gradY), m(p, true), nextY, { scale: 0.5, accumulate: true });
    multiply(m(gradP), m(y, true), nextZ, { scale: -1 }); // Pᵀ·gZ/2 − gP·Yᵀ
    multiply(m(p, true), m(gradZ), nextZ, { scale: 0.5, accumulate: true });
    [gradY, gradZ] = [nextY, nextZ];
  }
  return gradY;
}

export function createCovarianceGpuKernels(run: KindRunner) {
  return {
    covariancePoolForward(input, output, geometry) {
      const builder = new JobBuilder();
      const state = addForward(builder, geometry, input);
      const root = state.ys[geometry.iterations]!;
      const out = builder.add(output, 'write');
      builder.step('covarianceForward', sampleParams(geometry), [state.mean, state.traces, root, out], output.length);
      run('covariancePoolForward', builder.job(), () => covariancePoolForward(input, output, geometry));
    },
    covariancePoolBackward(input, gradOutput, gradInput, geometry) {
      const builder = new JobBuilder();
      const state = addForward(builder, geometry, input);
      const root = state.ys[geometry.iterations]!;
      const [matrixLength, g] = [geometry.batch * geometry.channels ** 2, builder.add(gradOutput, 'read')];
      const gradRoot = builder.scratch(matrixLength);
      builder.step('covarianceRootGradient', sampleParams(geometry), [state.traces, g, gradRoot], matrixLength);
      const gradNormalised = addIterationsBackward(builder, geometry, state, gradRoot);
      const gradTraces = builder.scratch(geometry.batch);
      const traceReads = [state.traces, g, root, gradNormalised, state.sigma];
      builder.step('covarianceTraceGradient', sampleParams(geometry), [...traceReads, gradTraces], geometry.batch);
      const inputReads = [state.centred, state.traces, gradTraces, gradNormalised];
      const gi = builder.add(gradInput, 'write');
      builder.step('covarianceInputGradient', sampleParams(geometry), [...inputReads, gi], gradInput.length);
      run('covariancePoolBackward', builder.job(), () =>
        covariancePoolBackward(input, gradOutput, gradInput, geometry),
      );
    },
  } satisfies Partial<PoolingKernels>;
}
