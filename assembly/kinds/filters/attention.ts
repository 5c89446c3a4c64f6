// Attention pooling (SimPool-style, one head), forward and backward per sample in f64 (reference:
// src/kernels/reference/extra/attention-pool.ts), regrouped so no [cells, C]·[C, C] product is
// formed: the logits k_s·q = x_s·(W_k·q) and ∂q = (Σ_s ∂logit_s·x_s)·W_k, so a sample costs O(n·C)
// instead of O(n·C²). Every other sum keeps the reference's order; the regrouped ones round
// differently (the kind's tolerance). NaN and ±Infinity need no special path: a non-finite input
// value (through the mean, q) or kernel entry makes every entry of W_k·q, and in the reference every
// logit, non-finite (0·∞ is NaN); every logit is then NaN or infinite in both orders, every weight
// NaN, and the sample's output and all gradients NaN, as the reference gives.
import { currentThreadSlot } from '../../shared/thread-slot';
import { pointer, word } from './arguments';
import {
  CELLS, CHANNELS, CHANNELS_LAST, GRAD_INPUT, GRAD_KEY_KERNEL, GRAD_OUTPUT, GRAD_QUERY_KERNEL, INPUT, KEY_KERNEL,
  OUTPUT, QUERY_KERNEL, RESULTS, SCRATCH, SCRATCH_SLOT_BYTES, SAMPLES,
} from './attention-arguments';

// One sample's geometry and working arrays (per instance globals, so per thread).
let channels: i32 = 0;
let cells: i32 = 0;
/** Element steps between cells and between channels of a sample. */
let cellStep: usize = 0;
let channelStep: usize = 0;
/** The sample's first input element (bytes). */
let sampleInput: usize = 0;
/**
 * Channels-last with an even channel count: the per-cell loops take channel pairs as f64x2 lanes.
 * Per-channel sums keep their order (the same bits); the dot products over channels (logits,
 * g·x_s) sum the pairs' lanes apart and add them at the end (another order: the kind's tolerance).
 */
let paired: bool = false;
/** f64 arrays in this thread's scratch slot: C each, then n each. */
let mean: usize = 0;
let query: usize = 0;
let keyRow: usize = 0;
let work: usize = 0;
let weights: usize = 0;
let gradLogits: usize = 0;

@inline function f64At(array: usize, index: i32): f64 {
  return load<f64>(array + (<usize>index << 3));
}
@inline function setF64(array: usize, index: i32, value: f64): void {
  store<f64>(array + (<usize>index << 3), value);
}
@inline function f32At(array: usize, index: i32): f64 {
  return <f64>load<f32>(array + (<usize>index << 2));
}
/** x[cell, channel] of the sample. */
@inline function cellValue(cell: i32, channel: i32): f64 {
  return <f64>load<f32>(sampleInput + ((<usize>cell * cellStep + <usize>channel * channelStep) << 2));
}

function beginSample(block: usize, sample: i32): void {
  channels = word(block, CHANNELS);
  cells = word(block, CELLS);
  const channelsLast = word(block, CHANNELS_LAST) != 0;
  cellStep = channelsLast ? <usize>channels : 1;
  channelStep = channelsLast ? 1 : <usize>cells;
  paired = channelsLast && (channels & 1) == 0;
  sampleInput = pointer(block, INPUT) + ((<usize>sample * <usize>cells * <usize>channels) << 2);
  const slot = pointer(block, SCRATCH) + <usize>currentThreadSlot() * <usize>word(block, SCRATCH_SLOT_BYTES);
  const vectorBytes = <usize>channels << 3;
  mean = slot;
  query = mean + vectorBytes;
  keyRow = query + vectorBytes;
  work = keyRow + vectorBytes;
  weights = work + vectorBytes;
  gradLogits = weights + (<usize>cells << 3);
}

/** x[cell, channel], x[cell, channel + 1] of a paired sample as f64x2. */
@inline function cellPair(cell: i32, channel: i32): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(sampleInput + ((<usize>cell * <usize>channels + <usize>channel) << 2)));
}

/** sums[c] += factor·x[cell, c] for every channel pair of a paired sample (each channel's order kept). */
@inline function addScaledCell(sums: usize, cell: i32, factor: f64): void {
  const scale = f64x2.splat(factor);
  for (let channel = 0; channel < channels; channel += 2) {
    const at = sums + (<usize>channel << 3);
    v128.store(at, f64x2.add(v128.load(at), f64x2.mul(scale, cellPair(cell, channel))));
  }
}

/** Σ_c x[cell, c]·vector[c] of a paired sample (f64 vector), the two lanes summed apart. */
@inline function cellDotF64(cell: i32, vector: usize): f64 {
  let sum = f64x2.splat(0);
  for (let channel = 0; channel < channels; channel += 2)
    sum = f64x2.add(sum, f64x2.mul(cellPair(cell, channel), v128.load(vector + (<usize>channel << 3))));
  return f64x2.extract_lane(sum, 0) + f64x2.extract_lane(sum, 1);
}

/** As cellDotF64 with an f32 vector. */
@inline function cellDotF32(cell: i32, vector: usize): f64 {
  let sum = f64x2.splat(0);
  for (let channel = 0; channel < channels; channel += 2) {
    const factor = f64x2.promote_low_f32x4(v128.load64_zero(vector + (<usize>channel << 2)));
    sum = f64x2.add(sum, f64x2.mul(cellPair(cell, channel), factor));
  }
  return f64x2.extract_lane(sum, 0) + f64x2.extract_lane(sum, 1);
}

/** mean[c] = Σ_s x[s, c]/n, each term divided before it is added (the reference's order and bits). */
function channelMeans(): void {
  for (let channel = 0; channel < channels; channel++) setF64(mean, channel, 0);
  if (!paired) {
    for (let cell = 0; cell < cells; cell++)
      for (let channel = 0; channel < channels; channel++)
        setF64(mean, channel, f64At(mean, channel) + cellValue(cell, channel) / <f64>cells);
    return;
  }
  const count = f64x2.splat(<f64>cells);
  for (let cell = 0; cell < cells; cell++)
    for (let channel = 0; channel < channels; channel += 2) {
      const at = mean + (<usize>channel << 3);
      v128.store(at, f64x2.add(v128.load(at), f64x2.div(cellPair(cell, channel), count)));
    }
}

/** Σ_inner rows[inner]·kernel[inner, column] for every column: a C-vector through a [C, C] kernel. */
function project(rows: usize, kernel: usize, target: usize): void {
  for (let column = 0; column < channels; column++) {
    let sum: f64 = 0;
    for (let inner = 0; inner < channels; inner++) sum += f64At(rows, inner) * f32At(kernel, inner * channels + column);
    setF64(target, column, sum);
  }
}

/** Σ_column kernel[row, column]·vector[column] for every row: the kernel times a C-vector. */
function kernelTimes(kernel: usize, vector: usize, target: usize): void {
  for (let row = 0; row < channels; row++) {
    let sum: f64 = 0;
    for (let column = 0; column < channels; column++)
      sum += f32At(kernel, row * channels + column) * f64At(vector, column);
    setF64(target, row, sum);
  }
}

/** mean, query, keyRow = W_k·query and the softmax weights of the sample, as the reference's attend. */
function attend(block: usize): void {
  channelMeans();
  project(mean, pointer(block, QUERY_KERNEL), query);
  kernelTimes(pointer(block, KEY_KERNEL), query, keyRow);
  const root = Math.sqrt(<f64>channels);
  let largest = -Infinity;
  for (let cell = 0; cell < cells; cell++) {
    let logit: f64 = 0;
    if (paired) logit = cellDotF64(cell, keyRow);
    else for (let channel = 0; channel < channels; channel++) logit += cellValue(cell, channel) * f64At(keyRow, channel);
    logit /= root;
    setF64(weights, cell, logit);
    if (logit > largest) largest = logit;
  }
  let total: f64 = 0;
  for (let cell = 0; cell < cells; cell++) {
    const weight = Math.exp(f64At(weights, cell) - largest);
    setF64(weights, cell, weight);
    total += weight;
  }
  for (let cell = 0; cell < cells; cell++) setF64(weights, cell, f64At(weights, cell) / total);
}

/** Samples [firstUnit, endUnit): y[c] = Σ_s a_s·x_s[c]. */
export function attentionForwardSamples(block: usize, firstUnit: i32, endUnit: i32): void {
  for (let sample = firstUnit; sample < endUnit; sample++) {
    beginSample(block, sample);
    attend(block);
    for (let channel = 0; channel < channels; channel++) setF64(work, channel, 0);
    for (let cell = 0; cell < cells; cell++) {
      const weight = f64At(weights, cell);
      if (paired) addScaledCell(work, cell, weight);
      else
        for (let channel = 0; channel < channels; channel++)
          setF64(work, channel, f64At(work, channel) + weight * cellValue(cell, channel));
    }
    const output = pointer(block, OUTPUT) + ((<usize>sample * <usize>channels) << 2);
    for (let channel = 0; channel < channels; channel++)
      store<f32>(output + (<usize>channel << 2), <f32>f64At(work, channel));
  }
}

/** ∂logit_s = a_s·(g·x_s − Σ_t a_t·g·x_t)/√C into gradLogits, as the reference's logitGradients. */
function logitGradients(gradient: usize): void {
  let average: f64 = 0;
  for (let cell = 0; cell < cells; cell++) {
    let score: f64 = 0;
    if (paired) score = cellDotF32(cell, gradient);
    else for (let channel = 0; channel < channels; channel++) score += f32At(gradient, channel) * cellValue(cell, channel);
    setF64(gradLogits, cell, score);
    average += f64At(weights, cell) * score;
  }
  const root = Math.sqrt(<f64>channels);
  for (let cell = 0; cell < cells; cell++)
    setF64(gradLogits, cell, (f64At(weights, cell) * (f64At(gradLogits, cell) - average)) / root);
}

/**
 * Samples [firstUnit, endUnit): the input gradient a_s·g + ∂logit_s·(W_k·q) + (W_q·∂q)/n, and the
 * sample's mean, query, Σ_s ∂logit_s·x_s and ∂q kept for attentionKernelGradientRows.
 */
export function attentionBackwardSamples(block: usize, firstUnit: i32, endUnit: i32): void {
  for (let sample = firstUnit; sample < endUnit; sample++) {
    beginSample(block, sample);
    attend(block);
    const gradient = pointer(block, GRAD_OUTPUT) + ((<usize>sample * <usize>channels) << 2);
    logitGradients(gradient);
    const results = pointer(block, RESULTS) + ((<usize>sample * <usize>channels * 4) << 3);
    const vectorBytes = <usize>channels << 3;
    const keyed = results + 2 * vectorBytes;
    const gradQuery = results + 3 * vectorBytes;
    memory.copy(results, mean, vectorBytes);
    memory.copy(results + vectorBytes, query, vectorBytes);
    for (let channel = 0; channel < channels; channel++) setF64(keyed, channel, 0);
    for (let cell = 0; cell < cells; cell++) {
      const gradLogit = f64At(gradLogits, cell);
      if (paired) addScaledCell(keyed, cell, gradLogit);
      else
        for (let channel = 0; channel < channels; channel++)
          setF64(keyed, channel, f64At(keyed, channel) + gradLogit * cellValue(cell, channel));
    }
    project(keyed, pointer(block, KEY_KERNEL), gradQuery);
    kernelTimes(pointer(block, QUERY_KERNEL), gradQuery, work); // W_q·∂q: the path through the mean
    const gradInput = pointer(block, GRAD_INPUT) + ((<usize>sample * <usize>cells * <usize>channels) << 2);
    if (paired) {
      pairedInputGradient(gradInput, gradient);
      continue;
    }
    for (let cell = 0; cell < cells; cell++) {
      const weight = f64At(weights, cell);
      const gradLogit = f64At(gradLogits, cell);
      for (let channel = 0; channel < channels; channel++) {
        const value =
          weight * f32At(gradient, channel) + gradLogit * f64At(keyRow, channel) + f64At(work, channel) / <f64>cells;
        store<f32>(gradInput + ((<usize>cell * cellStep + <usize>channel * channelStep) << 2), <f32>value);
      }
    }
  }
}

/** The paired sample's input gradient, element by element as attentionBackwardSamples' loop (the same bits). */
function pairedInputGradient(gradInput: usize, gradient: usize): void {
  for (let channel = 0; channel < channels; channel++) setF64(work, channel, f64At(work, channel) / <f64>cells); // the same quotient for every cell
  for (let cell = 0; cell < cells; cell++) {
    const weight = f64x2.splat(f64At(weights, cell));
    const gradLogit = f64x2.splat(f64At(gradLogits, cell));
    const row = gradInput + ((<usize>cell * <usize>channels) << 2);
    for (let channel = 0; channel < channels; channel += 2) {
      const g = f64x2.promote_low_f32x4(v128.load64_zero(gradient + (<usize>channel << 2)));
      const keyed = f64x2.mul(gradLogit, v128.load(keyRow + (<usize>channel << 3)));
      const meanPath = v128.load(work + (<usize>channel << 3));
      const value = f64x2.add(f64x2.add(f64x2.mul(weight, g), keyed), meanPath);
      v128.store64_lane(row + (<usize>channel << 2), f32x4.demote_f64x2_zero(value), 0);
    }
  }
}

/**
 * Kernel rows [firstUnit, endUnit): ∂W_q[r, c] += mean[r]·∂q[c] and ∂W_k[r, c] += (Σ_s ∂logit_s·x_s)[r]·q[c],
 * sample after sample in f32 as the reference adds them (so the same on any thread count).
 */
export function attentionKernelGradientRows(block: usize, firstUnit: i32, endUnit: i32): void {
  const size = word(block, CHANNELS);
  const samples = word(block, SAMPLES);
  const results = pointer(block, RESULTS);
  for (let row = firstUnit; row < endUnit; row++) {
    for (let column = 0; column < size; column++) {
      const offset = (<usize>(row * size + column)) << 2;
      let gradQuery = load<f32>(pointer(block, GRAD_QUERY_KERNEL) + offset);
      let gradKey = load<f32>(pointer(block, GRAD_KEY_KERNEL) + offset);
      for (let sample = 0; sample < samples; sample++) {
        const kept = results + ((<usize>sample * <usize>size * 4) << 3);
        gradQuery = <f32>(<f64>gradQuery + f64At(kept, row) * f64At(kept, 3 * size + column));
        gradKey = <f32>(<f64>gradKey + f64At(kept, 2 * size + row) * f64At(kept, size + column));
      }
      store<f32>(pointer(block, GRAD_QUERY_KERNEL) + offset, gradQuery);
      store<f32>(pointer(block, GRAD_KEY_KERNEL) + offset, gradKey);
    }
  }
}
