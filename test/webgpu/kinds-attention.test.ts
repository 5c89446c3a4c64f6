// Attention pooling's GPU kernels (forward, ∂x, ∂W_q, ∂W_k) against the float64 reference kernels on
// random global shapes (1-3 spatial axes, both layouts, random and near-identity kernels), within
// KIND_GPU_BOUNDS; a sample holding NaN or ±Infinity outputs NaN, as in the reference.
import { test } from 'node:test';
import type { PoolingSizes } from '../../src/geometry/layout.js';
import { planeView } from '../../src/kernels/reference/extra/planes.js';
import { KIND_GPU_BOUNDS } from '../../src/kernels/webgpu/kind-kernels.js';
import { tidy } from '../../src/tensor/scope.js';
import { check, filled } from '../wasm/harness.js';
import { assertWithin, skip } from './harness.js';
import { bothWays } from './kinds-harness.js';
import { sampleCases, sampleMaxima, squareMatrix } from './kinds-sample-cases.js';

const RUNS = Number(process.env.RUNS ?? 30);
const { attentionRelative } = KIND_GPU_BOUNDS;

/** Σ_j |m[row, j]|·|v[j]| (m square, row-major), or with `transposed` Σ_i |v[i]|·|m[i, column]|. */
function absoluteProduct(matrix: Float32Array, vector: ArrayLike<number>, transposed: boolean): Float64Array {
  const size = vector.length;
  return Float64Array.from({ length: size }, (_, at) => {
    let sum = 0;
    for (let other = 0; other < size; other++)
      sum += Math.abs(transposed ? matrix[other * size + at]! : matrix[at * size + other]!) * Math.abs(vector[other]!);
    return sum;
  });
}

/**
 * The magnitudes the gradients' float32 terms add up to (the reference's formulas on absolute values,
 * the softmax backward's a_s·(|score_s| + Σ a_t·|score_t|) for its cancelling difference): per
 * element of ∂x, ∂W_q and ∂W_k. Finite inputs only.
 */
function gradientScales(
  g: PoolingSizes,
  arrays: { input: Float32Array; query: Float32Array; key: Float32Array; gradOutput: Float32Array },
) {
  const [size, cells] = [g.channels, g.inDepth * g.inHeight * g.inWidth];
  const scales = { input: new Float64Array(arrays.input.length), query: new Float64Array(size * size) };
  const key = new Float64Array(size * size);
  for (let sample = 0; sample < g.batch; sample++) {
    const views = Array.from({ length: size }, (_, channel) =>
      planeView(g.channelsLast, size, cells, sample * size + channel),
    );
    const x = (cell: number, channel: number) => arrays.input[views[channel]!.base + cell * views[channel]!.step]!;
    const mean = Float64Array.from({ length: size }, (_, channel) => {
      let sum = 0;
      for (let cell = 0; cell < cells; cell++) sum += x(cell, channel) / cells;
      return sum;
    });
    const query = absoluteProduct(arrays.query, mean, true); // |mean|·|W_q|
    const keyQuery = absoluteProduct(arrays.key, query, false); // |W_k|·|q|
    const exactQuery = Float64Array.from({ length: size }, (_, column) =>
      mean.reduce((sum, value, row) => sum + value * arrays.query[row * size + column]!, 0),
    );
    const keyVector = Float64Array.from({ length: size }, (_, row) =>
      exactQuery.reduce((sum, value, column) => sum + arrays.key[row * size + column]! * value, 0),
    );
    const logits = Array.from({ length: cells }, (_, cell) => {
      let sum = 0;
      for (let channel = 0; channel < size; channel++) sum += x(cell, channel) * keyVector[channel]!;
      return sum / Math.sqrt(size);
    });
    const largest = Math.max(...logits);
    const weights = logits.map((logit) => Math.exp(logit - largest));
    const total = weights.reduce((sum, value) => sum + value, 0);
    const gradient = (channel: number) => Math.abs(arrays.gradOutput[sample * size + channel]!);
    const scores = weights.map((_, cell) => {
      let sum = 0;
      for (let channel = 0; channel < size; channel++) sum += gradient(channel) * Math.abs(x(cell, channel));
      return sum;
    });
    const average = scores.reduce((sum, score, cell) => sum + (weights[cell]! / total) * score, 0);
    const logitScales = scores.map((score, cell) => ((weights[cell]! / total) * (score + average)) / Math.sqrt(size));
    const cellSums = Float64Array.from({ length: size }, (_, channel) =>
      logitScales.reduce((sum, scale, cell) => sum + scale * Math.abs(x(cell, channel)), 0),
    );
    const gradQuery = absoluteProduct(arrays.key, cellSums, true);
    const throughMean = absoluteProduct(arrays.query, gradQuery, false);
    for (let row = 0; row < size; row++)
      for (let column = 0; column < size; column++) {
        scales.query[row * size + column]! += Math.abs(mean[row]!) * gradQuery[column]!;
        key[row * size + column]! += cellSums[row]! * query[column]!;
      }
    for (let channel = 0; channel < size; channel++)
      for (let cell = 0; cell < cells; cell++)
        scales.input[views[channel]!.base + cell * views[channel]!.step] =
          (weights[cell]! / total) * gradient(channel) +
          logitScales[cell]! * keyQuery[channel]! +
          throughMean[channel]! / cells;
  }
  return { ...scales, key };
}

test('attentionPoolForward and attentionPoolBackward within attentionRelative of the reference', { skip }, () => {
  check(
    sampleCases(['plain', 'plain', 'ties', 'special']),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const size = geometry.channels;
        const input = filled(geometry.inputShape, values, seed);
        const [query, key] = [squareMatrix(size, seed + 1), squareMatrix(size, seed + 2)];
        const [[expected], [actual]] = bothWays('attentionPoolForward', [{ shape: geometry.outputShape }], (k, [y]) =>
          k.attentionPoolForward(input.values, query.values, key.values, y!.values, geometry),
        );
        // The output is a weighted average of the sample's cells.
        const inputMaxima = sampleMaxima(input.values, input.values.length / geometry.batch);
        const forwardBound = (index: number) => attentionRelative * inputMaxima[Math.floor(index / size)]!;
        assertWithin(actual!, expected!, forwardBound, 'attention');
        if (values === 'special') return;
        const gradOutput = filled(geometry.outputShape, 'plain', seed + 3);
        const outputs = [
          { shape: geometry.inputShape, zeroed: true },
          { shape: [size, size], zeroed: true },
          { shape: [size, size], zeroed: true },
        ];
        const [want, got] = bothWays('attentionPoolBackward', outputs, (k, [g, gq, gk]) =>
          k.attentionPoolBackward(
            input.values,
            query.values,
            key.values,
            gradOutput.values,
            g!.values,
            gq!.values,
            gk!.values,
            geometry,
          ),
        );
        const arrays = { input: input.values, query: query.values, key: key.values, gradOutput: gradOutput.values };
        const scales = gradientScales(geometry, arrays);
        const near = (scale: ArrayLike<number>) => (index: number) => attentionRelative * scale[index]!;
        assertWithin(got[0]!, want[0]!, near(scales.input), 'attention ∂x');
        assertWithin(got[1]!, want[1]!, near(scales.query), 'attention ∂W_q');
        assertWithin(got[2]!, want[2]!, near(scales.key), 'attention ∂W_k');
      }),
    RUNS,
  );
});
