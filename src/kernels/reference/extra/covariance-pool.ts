// Global covariance pooling with the iterative matrix square root (iSQRT-COV: Li, Xie, Wang & Gao,
// CVPR 2018), reference kernels, per sample in float64: covariance, trace pre-normalisation,
// Newton–Schulz iterations, trace post-compensation, upper triangle; the backward runs through
// every iteration in reverse (the forward is recomputed; the fast kernels may keep theirs in a room,
// covarianceKeptLength, which these kernels leave alone).
import type { PoolingSizes } from '../../../geometry/layout.js';
import { planeView } from './planes.js';

export interface CovarianceGeometry extends PoolingSizes {
  /** Newton–Schulz iterations N (the paper's iterN). */
  readonly iterations: number;
}

/**
 * The length of covariance pooling's forward-keep room (src/pooling/kinds/forward-keep.ts's rule: the
 * last element marks a filled room): per sample the wasm kernel's 3N + 4 matrices (Y, Z and P of each
 * step and Σ, C rows of C rounded up to 4 floats), its centred cells (n rows of C rounded up to 4) and
 * its flag (padded to 4 floats), then the mark.
 */
export function covarianceKeptLength(geometry: CovarianceGeometry): number {
  const stride = Math.ceil(geometry.channels / 4) * 4;
  const cells = geometry.inDepth * geometry.inHeight * geometry.inWidth;
  return geometry.batch * ((3 * geometry.iterations + 4) * geometry.channels * stride + cells * stride + 4) + 1;
}

/** out = op(a)·op(b) for size×size row-major matrices; op transposes where asked. */
function multiply(a: Float64Array, b: Float64Array, out: Float64Array, size: number, transA = false, transB = false) {
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      let sum = 0;
      for (let inner = 0; inner < size; inner++)
        sum +=
          a[transA ? inner * size + row : row * size + inner]! *
          b[transB ? column * size + inner : inner * size + column]!;
      out[row * size + column] = sum;
    }
  }
}

/** One sample's channels as rows of a channels×cells matrix, centred; returns the covariance Σ = XcXcᵀ/n. */
function centredCovariance(input: Float32Array, geometry: PoolingSizes, sample: number, centred: Float64Array) {
  const { channels } = geometry;
  const cells = geometry.inDepth * geometry.inHeight * geometry.inWidth;
  for (let channel = 0; channel < channels; channel++) {
    const view = planeView(geometry.channelsLast, channels, cells, sample * channels + channel);
    let mean = 0;
    for (let cell = 0; cell < cells; cell++) mean += input[view.base + cell * view.step]!;
    mean /= cells;
    for (let cell = 0; cell < cells; cell++)
      centred[channel * cells + cell] = input[view.base + cell * view.step]! - mean;
  }
  const covariance = new Float64Array(channels * channels);
  for (let row = 0; row < channels; row++)
    for (let column = 0; column < channels; column++) {
      let sum = 0;
      for (let cell = 0; cell < cells; cell++) sum += centred[row * cells + cell]! * centred[column * cells + cell]!;
      covariance[row * channels + column] = sum / cells;
    }
  return covariance;
}

/** Y_k, Z_k for k = 0..N and P_k = 3I − Z_{k−1}Y_{k−1} for k = 1..N, from A = Σ/tr Σ. */
function newtonSchulz(normalised: Float64Array, size: number, iterations: number) {
  const identity = new Float64Array(size * size);
  for (let index = 0; index < size; index++) identity[index * size + index] = 1;
  const ys = [normalised];
  const zs = [identity];
  const ps: Float64Array[] = [new Float64Array(0)];
  for (let step = 1; step <= iterations; step++) {
    const product = new Float64Array(size * size);
    multiply(zs[step - 1]!, ys[step - 1]!, product, size);
    const p = identity.map((value, index) => 3 * value - product[index]!);
    const [y, z] = [new Float64Array(size * size), new Float64Array(size * size)];
    multiply(ys[step - 1]!, p, y, size);
    multiply(p, zs[step - 1]!, z, size);
    ys.push(y.map((value) => value / 2));
    zs.push(z.map((value) => value / 2));
    ps.push(p);
  }
  return { ys, zs, ps };
}

/** A sample's forward state: centred input, Σ, its trace, and the iterations. */
function sampleForward(input: Float32Array, geometry: CovarianceGeometry, sample: number, centred: Float64Array) {
  const size = geometry.channels;
  const covariance = centredCovariance(input, geometry, sample, centred);
  let trace = 0;
  for (let index = 0; index < size; index++) trace += covariance[index * size + index]!;
  const iterations = newtonSchulz(
    covariance.map((value) => value / trace),
    size,
    geometry.iterations,
  );
  return { covariance, trace, ...iterations };
}

/**
 * y = the upper triangle (row-major, diagonal included) of √(tr Σ)·Y_N, C(C+1)/2 values per sample.
 * A sample whose covariance is 0 (every channel constant over space, or one cell) outputs zeros.
 */
export function covariancePoolForward(
  input: Float32Array,
  output: Float32Array,
  geometry: CovarianceGeometry,
  _kept?: Float32Array,
): void {
  const size = geometry.channels;
  const features = (size * (size + 1)) / 2;
  const centred = new Float64Array(size * geometry.inDepth * geometry.inHeight * geometry.inWidth);
  for (let sample = 0; sample < geometry.batch; sample++) {
    const state = sampleForward(input, geometry, sample, centred);
    const scale = Math.sqrt(state.trace);
    const root = state.ys[geometry.iterations]!;
    let feature = sample * features;
    for (let row = 0; row < size; row++)
      for (let column = row; column < size; column++)
        output[feature++] = state.trace === 0 ? 0 : scale * root[row * size + column]!;
  }
}

/** Back through the iterations: gradients of Y_k and Z_k to those of Y_{k−1} and Z_{k−1}; returns ∂L/∂A. */
function newtonSchulzBackward(state: ReturnType<typeof newtonSchulz>, gradRoot: Float64Array, size: number) {
  let gradY = gradRoot;
  let gradZ = new Float64Array(size * size);
  const [a, b] = [new Float64Array(size * size), new Float64Array(size * size)];
  for (let step = state.ys.length - 1; step >= 1; step--) {
    const [y, z, p] = [state.ys[step - 1]!, state.zs[step - 1]!, state.ps[step]!];
    multiply(y, gradY, a, size, true); // Yᵀ·gY
    multiply(gradZ, z, b, size, false, true); // gZ·Zᵀ
    const gradP = a.map((value, index) => (value + b[index]!) / 2);
    const nextY = new Float64Array(size * size);
    const nextZ = new Float64Array(size * size);
    multiply(gradY, p, a, size, false, true); // gY·Pᵀ
    multiply(z, gradP, b, size, true); // Zᵀ·gP
    for (let index = 0; index < a.length; index++) nextY[index] = a[index]! / 2 - b[index]!;
    multiply(p, gradZ, a, size, true); // Pᵀ·gZ
    multiply(gradP, y, b, size, false, true); // gP·Yᵀ
    for (let index = 0; index < a.length; index++) nextZ[index] = a[index]! / 2 - b[index]!;
    [gradY, gradZ] = [nextY, nextZ];
  }
  return gradY;
}

/** ∂L/∂Σ of one sample through the triangle, the post-compensation, the iterations and A = Σ/tr Σ. */
function covarianceGradient(
  state: ReturnType<typeof sampleForward>,
  gradOutput: Float32Array,
  first: number,
  size: number,
): Float64Array {
  const gradSigma = new Float64Array(size * size);
  if (state.trace === 0) return gradSigma;
  const scale = Math.sqrt(state.trace);
  const root = state.ys[state.ys.length - 1]!;
  const gradRoot = new Float64Array(size * size);
  let [feature, gradTrace] = [first, 0];
  for (let row = 0; row < size; row++)
    for (let column = row; column < size; column++) {
      const gradient = gradOutput[feature++]!;
      gradRoot[row * size + column] = scale * gradient;
      gradTrace += (gradient * root[row * size + column]!) / (2 * scale);
    }
  const gradNormalised = newtonSchulzBackward(state, gradRoot, size);
  for (let index = 0; index < size * size; index++) {
    gradSigma[index] = gradNormalised[index]! / state.trace;
    gradTrace -= (gradNormalised[index]! * state.covariance[index]!) / (state.trace * state.trace);
  }
  for (let index = 0; index < size; index++) gradSigma[index * size + index]! += gradTrace;
  return gradSigma;
}

/** ∂L/∂x = (∂L/∂Σ + ∂L/∂Σᵀ)·Xc / n (the centring's own term vanishes: centred rows sum to 0). */
export function covariancePoolBackward(
  input: Float32Array,
  gradOutput: Float32Array,
  gradInput: Float32Array,
  geometry: CovarianceGeometry,
  _kept?: Float32Array,
): void {
  const size = geometry.channels;
  const cells = geometry.inDepth * geometry.inHeight * geometry.inWidth;
  const centred = new Float64Array(size * cells);
  for (let sample = 0; sample < geometry.batch; sample++) {
    const state = sampleForward(input, geometry, sample, centred);
    const gradSigma = covarianceGradient(state, gradOutput, (sample * size * (size + 1)) / 2, size);
    for (let channel = 0; channel < size; channel++) {
      const view = planeView(geometry.channelsLast, size, cells, sample * size + channel);
      for (let cell = 0; cell < cells; cell++) {
        let sum = 0;
        for (let other = 0; other < size; other++)
          sum +=
            (gradSigma[channel * size + other]! + gradSigma[other * size + channel]!) * centred[other * cells + cell]!;
        gradInput[view.base + cell * view.step] = sum / cells;
      }
    }
  }
}
