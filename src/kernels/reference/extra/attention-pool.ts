// Attention pooling (SimPool-style, one head), reference kernels, per sample in float64: the query is
// the mean of the cells through W_q, keys are the cells through W_k, and the output is the
// softmax-weighted average of the cells. Kernels are [channels, channels] (Keras's [in, out]).
import type { PoolingSizes } from '../../../geometry/layout.js';
import { planeView } from './planes.js';

/** One sample's forward state: cells (cells×C), mean, query, keys, attention weights. */
interface AttentionState {
  readonly cells: Float64Array;
  readonly mean: Float64Array;
  readonly query: Float64Array;
  readonly keys: Float64Array;
  readonly weights: Float64Array;
}

/** row·kernel for each of `rows` rows of length `size` (a [rows, size] times [size, size] product). */
function project(rows: Float64Array, kernel: Float32Array, size: number): Float64Array {
  const count = rows.length / size;
  const result = new Float64Array(rows.length);
  for (let row = 0; row < count; row++)
    for (let column = 0; column < size; column++) {
      let sum = 0;
      for (let inner = 0; inner < size; inner++) sum += rows[row * size + inner]! * kernel[inner * size + column]!;
      result[row * size + column] = sum;
    }
  return result;
}

function attend(input: Float32Array, query: Float32Array, key: Float32Array, sizes: PoolingSizes, sample: number) {
  const size = sizes.channels;
  const count = sizes.inDepth * sizes.inHeight * sizes.inWidth;
  const cells = new Float64Array(count * size);
  const mean = new Float64Array(size);
  for (let channel = 0; channel < size; channel++) {
    const view = planeView(sizes.channelsLast, size, count, sample * size + channel);
    for (let cell = 0; cell < count; cell++) cells[cell * size + channel] = input[view.base + cell * view.step]!;
    for (let cell = 0; cell < count; cell++) mean[channel]! += cells[cell * size + channel]! / count;
  }
  const [projectedQuery, keys] = [project(mean, query, size), project(cells, key, size)];
  const logits = new Float64Array(count);
  for (let cell = 0; cell < count; cell++) {
    for (let channel = 0; channel < size; channel++)
      logits[cell]! += keys[cell * size + channel]! * projectedQuery[channel]!;
    logits[cell]! /= Math.sqrt(size);
  }
  const largest = logits.reduce((best, value) => (value > best || Number.isNaN(value) ? value : best), -Infinity);
  const weights = logits.map((value) => Math.exp(value - largest));
  const total = weights.reduce((sum, value) => sum + value, 0);
  return { cells, mean, query: projectedQuery, keys, weights: weights.map((value) => value / total) };
}

/** y[c] = Σ_s a_s·x_s[c], a = softmax_s(k_s·q/√C), k_s = x_s·W_k, q = mean(x)·W_q. */
export function attentionPoolForward(
  input: Float32Array,
  queryKernel: Float32Array,
  keyKernel: Float32Array,
  output: Float32Array,
  geometry: PoolingSizes,
): void {
  const size = geometry.channels;
  for (let sample = 0; sample < geometry.batch; sample++) {
    const state = attend(input, queryKernel, keyKernel, geometry, sample);
    for (let channel = 0; channel < size; channel++) {
      let sum = 0;
      for (let cell = 0; cell < state.weights.length; cell++)
        sum += state.weights[cell]! * state.cells[cell * size + channel]!;
      output[sample * size + channel] = sum;
    }
  }
}

/** ∂L/∂logit_s = a_s·(g·x_s − Σ_t a_t·g·x_t), the softmax's backward for upstream gradient g. */
function logitGradients(state: AttentionState, gradient: Float32Array, first: number, size: number): Float64Array {
  const count = state.weights.length;
  const scores = new Float64Array(count);
  let average = 0;
  for (let cell = 0; cell < count; cell++) {
    for (let channel = 0; channel < size; channel++)
      scores[cell]! += gradient[first + channel]! * state.cells[cell * size + channel]!;
    average += state.weights[cell]! * scores[cell]!;
  }
  return scores.map((score, cell) => (state.weights[cell]! * (score - average)) / Math.sqrt(size));
}

/** Gradients to the input and (added into zeros) to both kernels, sample by sample. */
export function attentionPoolBackward(
  input: Float32Array,
  queryKernel: Float32Array,
  keyKernel: Float32Array,
  gradOutput: Float32Array,
  gradInput: Float32Array,
  gradQueryKernel: Float32Array,
  gradKeyKernel: Float32Array,
  geometry: PoolingSizes,
): void {
  const size = geometry.channels;
  for (let sample = 0; sample < geometry.batch; sample++) {
    const state = attend(input, queryKernel, keyKernel, geometry, sample);
    const count = state.weights.length;
    const gradLogits = logitGradients(state, gradOutput, sample * size, size); // already over √C
    const gradQuery = new Float64Array(size);
    for (let cell = 0; cell < count; cell++)
      for (let channel = 0; channel < size; channel++)
        gradQuery[channel]! += gradLogits[cell]! * state.keys[cell * size + channel]!;
    for (let row = 0; row < size; row++)
      for (let column = 0; column < size; column++) {
        gradQueryKernel[row * size + column]! += state.mean[row]! * gradQuery[column]!;
        let keyGradient = 0;
        for (let cell = 0; cell < count; cell++)
          keyGradient += state.cells[cell * size + row]! * gradLogits[cell]! * state.query[column]!;
        gradKeyKernel[row * size + column]! += keyGradient;
      }
    writeInputGradient(
      state,
      { queryKernel, keyKernel, gradOutput, gradLogits, gradQuery },
      gradInput,
      geometry,
      sample,
    );
  }
}

/** ∂L/∂x_s = a_s·g + W_k·(∂logit_s·q) + W_q·∂q / n: the values, the keys and the mean. */
function writeInputGradient(
  state: AttentionState,
  parts: {
    queryKernel: Float32Array;
    keyKernel: Float32Array;
    gradOutput: Float32Array;
    gradLogits: Float64Array;
    gradQuery: Float64Array;
  },
  gradInput: Float32Array,
  geometry: PoolingSizes,
  sample: number,
): void {
  const size = geometry.channels;
  const count = state.weights.length;
  for (let channel = 0; channel < size; channel++) {
    let throughMean = 0;
    let keyRow = 0;
    for (let column = 0; column < size; column++) {
      throughMean += parts.queryKernel[channel * size + column]! * parts.gradQuery[column]!;
      keyRow += parts.keyKernel[channel * size + column]! * state.query[column]!;
    }
    const view = planeView(geometry.channelsLast, size, count, sample * size + channel);
    const gradient = parts.gradOutput[sample * size + channel]!;
    for (let cell = 0; cell < count; cell++)
      gradInput[view.base + cell * view.step] =
        state.weights[cell]! * gradient + parts.gradLogits[cell]! * keyRow + throughMean / count;
  }
}
