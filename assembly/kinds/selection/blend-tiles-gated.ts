// Gated pooling where the windows tile the input (blend-tiles.ts's case: 2x2 at stride 2, unpadded,
// channelsLast, whole quads): rows of windows in straight loops, blend-dense.ts's arithmetic in the
// same order, so bit for bit the reference's. The table holds each quad's four taps' weights as
// float64 (one quad: tap 0's four lanes, then taps 1, 2, 3: 128 bytes); the room, when given, the
// float32 gates (the forward writes them, the backward, gate-tiles-backward.ts, reads them).
import { CHANNELS, IN_SIZE, OUTPUT, OUT_SIZE, pointer, word } from '../../pool/arguments';
import { multiplyAdd } from '../filters/multiply-add';
import { inputRow, pairAt } from './blend-tiles';
import { gateSigmoidOfNegated, gatesInPlace } from './gate';
import { high, low, narrow, ZERO } from './lanes';
import { CHANNEL_TABLE, KEPT_GATES } from './window';

/** 1 and ¼ in f64x2 lanes as static data: V8 rebuilds a v128 constant in a loop each use, a load is one instruction. */
export const GATE_DOUBLES = memory.data<f64>([1, 1, 0.25, 0.25], 16);

/**
 * wᵀx in window order on one f64x2 half, the weights at `weights` (32 bytes a tap). The products of
 * float32 values are exact in float64, so a fused multiply-add (the relaxed build) rounds as the
 * product then the sum do. The reference starts from +0, which only turns a −0 sum into +0: no gate
 * changes (s(±0) = 1/2 by the same operations).
 */
@inline
function gateInputOf(weights: usize, a: v128, b: v128, c: v128, d: v128): v128 {
  let total = f64x2.mul(v128.load(weights), a);
  total = multiplyAdd(v128.load(weights, 32), b, total);
  total = multiplyAdd(v128.load(weights, 64), c, total);
  return multiplyAdd(v128.load(weights, 96), d, total);
}

/** ((((+0 + a) + b) + c) + d)·¼ on one f64x2 half (blend-dense.ts's meanOf, ¼ from DOUBLES). */
@inline
export function windowMean(a: v128, b: v128, c: v128, d: v128): v128 {
  return f64x2.mul(f64x2.add(f64x2.add(f64x2.add(f64x2.add(ZERO, a), b), c), d), v128.load(GATE_DOUBLES, 16));
}

/** g·max + (1 − g)·mean on one f64x2 half (pmax: a NaN window's mean is NaN anyway). */
@inline
function blendOf(mix: v128, a: v128, b: v128, c: v128, d: v128): v128 {
  const maximum = f64x2.pmax(f64x2.pmax(f64x2.pmax(a, b), c), d);
  return f64x2.add(f64x2.mul(mix, maximum), f64x2.mul(f64x2.sub(v128.load(GATE_DOUBLES), mix), windowMean(a, b, c, d)));
}

/** −wᵀx of one quad of one window rounded to float32 lanes (the gates' input, as gate.ts takes it). */
@inline
function negatedGateInput(at: usize, right: usize, below: usize, weights: usize): v128 {
  const inputLow = gateInputOf(weights, pairAt(at), pairAt(at + right), pairAt(at + below), pairAt(at + below + right));
  const inputHigh = gateInputOf(
    weights + 16,
    pairAt(at + 8),
    pairAt(at + right + 8),
    pairAt(at + below + 8),
    pairAt(at + below + right + 8),
  );
  return f32x4.neg(narrow(inputLow, inputHigh));
}

/** The gates of one quad of one window (the backward's, without a room). */
@inline
export function gatesOf(at: usize, right: usize, below: usize, weights: usize): v128 {
  return gateSigmoidOfNegated(negatedGateInput(at, right, below, weights));
}

/** The blend of one quad of one window with its gates. */
@inline
function blendQuad(at: usize, right: usize, below: usize, gates: v128, output: usize): void {
  const lowHalf = blendOf(low(gates), pairAt(at), pairAt(at + right), pairAt(at + below), pairAt(at + below + right));
  const highHalf = blendOf(high(gates), pairAt(at + 8), pairAt(at + right + 8), pairAt(at + below + 8), pairAt(at + below + right + 8));
  v128.store(output, narrow(lowHalf, highHalf));
}

/**
 * Forward, output rows [firstUnit, endUnit). A row in three passes: each quad's −wᵀx rounded to
 * float32 into the room (or, without one, the output row), the gates in place (gate.ts's
 * gatesInPlace), then the blends, reading the row's input again from cache.
 */
export function gatedTileRows(block: usize, firstUnit: i32, endUnit: i32): void {
  const cellBytes = <usize>word(block, CHANNELS) << 2;
  const below = <usize>word(block, IN_SIZE + 2) * cellBytes;
  const outWidth = word(block, OUT_SIZE + 2);
  const rowBytes = <usize>outWidth * cellBytes;
  const table = pointer(block, CHANNEL_TABLE);
  const room = pointer(block, KEPT_GATES);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    const first = inputRow(block, unit, below);
    const output = pointer(block, OUTPUT) + <usize>unit * rowBytes;
    const gates = room != 0 ? room + <usize>unit * rowBytes : output;
    let cell = first;
    for (let at: usize = 0; at < rowBytes; cell += cellBytes << 1) {
      for (let weights = table, end = at + cellBytes; at < end; at += 16, cell += 16, weights += 128) {
        v128.store(gates + at, negatedGateInput(cell, cellBytes, below, weights));
      }
      cell -= cellBytes;
    }
    gatesInPlace(gates, gates + rowBytes);
    cell = first;
    for (let at: usize = 0; at < rowBytes; cell += cellBytes << 1) {
      for (const end = at + cellBytes; at < end; at += 16, cell += 16) {
        blendQuad(cell, cellBytes, below, v128.load(gates + at), output + at);
      }
      cell -= cellBytes;
    }
  }
}
