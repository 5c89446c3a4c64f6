// LIP, local importance pooling (reference lip-pool.ts): y = Σ wᵢxᵢ / Σ wᵢ over each window's
// in-bounds cells, wᵢ = e^{Gᵢ − max G} (expWeightLanes), Gᵢ = λ·sigmoid(zᵢ) (expLanes), in float32; IEEE
// arithmetic throughout (NaN and infinities pass as the reference's). Gradients: sᵢ = gradOutput·wᵢ/Σw
// to x, sᵢ·(xᵢ − y)·λσ(1 − σ) to z. Backward as SoftPool's (soft.ts): fused where windows do not
// overlap (w parked in gradInput, e^{−z} in gradLogits), else statistics (max G, gradOutput/Σw, y), then
// a gather; the caller zeroes gradLogits. A training forward over windows that do not overlap keeps
// each cell's w and e^{−z} and each window's y and Σw for the backward (forward-keep.ts), as GeM's.
import { INPUT, OUTPUT, pointer, word } from '../../pool/arguments';
import { columnBytes, group, rowBytes, rows, sliceBytes, slices } from '../../pool/walk';
import { expLanes, expWeightLanes } from '../simd-math';
import { CELL_PLANE_BYTES, CELL_SCRATCH, COEFFICIENT, LOGITS, STATS, STATS_PLANE_BYTES } from './arguments';
import { isFourTaps, loadLanes, storeLanes } from './lanes';
import { walkOutputRows } from './walks';

// The last window's max G and Σw (per instance, so per thread).
export let largest: v128 = f32x4.splat(0);
export let total: v128 = f32x4.splat(0);

/** σ(z) = 1/(1 + t) from t = e^{−z}. */
@inline
export function sigmoidOf(t: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, t));
}

@inline
function sigmoidLanes(z: v128): v128 {
  return sigmoidOf(expLanes(f32x4.neg(z)));
}

@inline
export function coefficientLanes(block: usize): v128 {
  return f32x4.splat(load<f32>(block + (<usize>COEFFICIENT << 2)));
}

/**
 * y of one window's lanes (`start` its first tap in the input; the logits lie `logits` bytes
 * past); sets largest and total. With `park`, w goes `parkedWeight` bytes past each cell (G there
 * between the two passes) and e^{−z} `parkedGate` bytes past (the gradient cells, or the forward's room).
 */
@inline
export function lipLanes(block: usize, start: usize, columns: i32, full: bool, park: bool, parkedWeight: usize, parkedGate: usize): v128 {
  const input = pointer(block, INPUT);
  const logits = pointer(block, LOGITS) - input;
  const coefficient = coefficientLanes(block);
  if (isFourTaps(columns)) return lipFourLanes(start, full, park, parkedWeight, parkedGate, logits, coefficient);
  let top = f32x4.splat(-Infinity);
  let nan = f32x4.splat(0);
  let slicePointer = start;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
      let tap = rowPointer;
      for (let kx = 0; kx < columns; kx++, tap += columnBytes) {
        const t = expLanes(f32x4.neg(loadLanes(tap + logits, full)));
        if (park) storeLanes(tap + parkedGate, t, full);
        const gate = f32x4.mul(coefficient, sigmoidOf(t));
        if (park) storeLanes(tap + parkedWeight, gate, full); // until w replaces it: one division per cell
        top = f32x4.pmax(top, gate);
        nan = v128.or(nan, f32x4.ne(gate, gate));
      }
    }
  }
  top = v128.or(top, nan);
  let sum = f32x4.splat(0);
  let weighted = f32x4.splat(0);
  slicePointer = start;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
      let tap = rowPointer;
      for (let kx = 0; kx < columns; kx++, tap += columnBytes) {
        const gate = park
          ? loadLanes(tap + parkedWeight, full)
          : f32x4.mul(coefficient, sigmoidLanes(loadLanes(tap + logits, full)));
        const weight = expWeightLanes(f32x4.sub(gate, top)); // G − max G ≤ 0: a softmax weight
        if (park) storeLanes(tap + parkedWeight, weight, full);
        sum = f32x4.add(sum, weight);
        weighted = f32x4.add(weighted, f32x4.mul(weight, loadLanes(tap, full)));
      }
    }
  }
  largest = top;
  total = sum;
  return f32x4.div(weighted, sum);
}

/** One cell's G = λ·σ(z), its e^{−z} parked `parkedGate` bytes past it with `park` (lipLanes' first walk). */
@inline
function lipGate(tap: usize, full: bool, park: bool, parkedGate: usize, logits: usize, coefficient: v128): v128 {
  const t = expLanes(f32x4.neg(loadLanes(tap + logits, full)));
  if (park) storeLanes(tap + parkedGate, t, full);
  return f32x4.mul(coefficient, sigmoidOf(t));
}

/** One cell's w = e^{G − max G}, parked `parkedWeight` bytes past it with `park`. */
@inline
function lipWeight(tap: usize, full: bool, park: bool, parkedWeight: usize, gate: v128, top: v128): v128 {
  const weight = expWeightLanes(f32x4.sub(gate, top)); // G − max G ≤ 0: a softmax weight
  if (park) storeLanes(tap + parkedWeight, weight, full);
  return weight;
}

/**
 * lipLanes of a 2×2 window (isFourTaps), its four taps unrolled and their G in locals (one e^x and
 * one division per cell, not two): the same operations in the same order, so the same bits.
 */
@inline
function lipFourLanes(start: usize, full: bool, park: bool, parkedWeight: usize, parkedGate: usize, logits: usize, coefficient: v128): v128 {
  const second = start + columnBytes;
  const third = start + rowBytes;
  const fourth = third + columnBytes;
  const gateA = lipGate(start, full, park, parkedGate, logits, coefficient);
  const gateB = lipGate(second, full, park, parkedGate, logits, coefficient);
  const gateC = lipGate(third, full, park, parkedGate, logits, coefficient);
  const gateD = lipGate(fourth, full, park, parkedGate, logits, coefficient);
  const lowest = f32x4.splat(-Infinity);
  const top = f32x4.pmax(f32x4.pmax(f32x4.pmax(f32x4.pmax(lowest, gateA), gateB), gateC), gateD);
  const nan = v128.or(v128.or(f32x4.ne(gateA, gateA), f32x4.ne(gateB, gateB)), v128.or(f32x4.ne(gateC, gateC), f32x4.ne(gateD, gateD)));
  const shift = v128.or(top, nan);
  const weightA = lipWeight(start, full, park, parkedWeight, gateA, shift);
  const weightB = lipWeight(second, full, park, parkedWeight, gateB, shift);
  const weightC = lipWeight(third, full, park, parkedWeight, gateC, shift);
  const weightD = lipWeight(fourth, full, park, parkedWeight, gateD, shift);
  const zero = f32x4.splat(0);
  const sum = f32x4.add(f32x4.add(f32x4.add(f32x4.add(zero, weightA), weightB), weightC), weightD);
  let weighted = f32x4.add(zero, f32x4.mul(weightA, loadLanes(start, full)));
  weighted = f32x4.add(weighted, f32x4.mul(weightB, loadLanes(second, full)));
  weighted = f32x4.add(weighted, f32x4.mul(weightC, loadLanes(third, full)));
  weighted = f32x4.add(weighted, f32x4.mul(weightD, loadLanes(fourth, full)));
  largest = shift;
  total = sum;
  return f32x4.div(weighted, sum);
}

/** The planes a saving forward keeps at STATS: y and Σw. */
@inline
function saveWindowLanes(block: usize, outIndex: usize, full: bool, y: v128): void {
  const stats = pointer(block, STATS) + (outIndex << 2);
  storeLanes(stats, y, full);
  storeLanes(stats + <usize>word(block, STATS_PLANE_BYTES), total, full);
}

/** One window's outputs, all channels; with `saving`, w and e^{−z} parked at CELL_SCRATCH and y, Σw kept. */
@inline
function lipForwardChannels(block: usize, start: usize, outIndex: usize, columns: i32, saving: bool): void {
  const output = pointer(block, OUTPUT) + (outIndex << 2);
  const weights = saving ? pointer(block, CELL_SCRATCH) - pointer(block, INPUT) : 0;
  const gates = weights + <usize>word(block, CELL_PLANE_BYTES);
  let channel = 0;
  for (; channel + 4 <= group; channel += 4) {
    const offset = <usize>channel << 2;
    const y = columns ? lipLanes(block, start + offset, columns, true, saving, weights, gates) : f32x4.splat(0);
    storeLanes(output + offset, y, true);
    if (saving) saveWindowLanes(block, outIndex + channel, true, y);
  }
  for (; channel < group; channel++) {
    const offset = <usize>channel << 2;
    const y = columns ? lipLanes(block, start + offset, columns, false, saving, weights, gates) : f32x4.splat(0);
    storeLanes(output + offset, y, false);
    if (saving) saveWindowLanes(block, outIndex + channel, false, y);
  }
}

function lipForwardWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  lipForwardChannels(block, start, outIndex, columns, false);
}

function lipSavingWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  lipForwardChannels(block, start, outIndex, columns, true);
}

/** Output rows [firstUnit, endUnit) of LIP's forward. */
export function lipPoolRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, lipForwardWindow);
}

/**
 * Output rows [firstUnit, endUnit) of LIP's forward where no input cell lies in two windows,
 * keeping for lipSavedBackwardRows each cell's w and e^{−z} (two planes at CELL_SCRATCH) and each
 * window's y and Σw: the backward then needs no e^x per cell.
 */
export function lipPoolSavingRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, lipSavingWindow);
}
