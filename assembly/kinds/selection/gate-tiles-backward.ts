// Gated pooling's backward where the windows tile the input (blend-tiles-gated.ts's case): every cell
// of the input gradient written once, bit for bit the reference's (gated-pool.ts). A cell's value is
// (1 − s)·g/4 + f·w_k from +0, rounded to float32, plus s·g at the window's max, f = g·(max − mean)·s·(1 − s);
// the max cell's sum is formed once a quad, from the value its tap already has.
import { CHANNELS, GRAD_INPUT, GRAD_OUTPUT, INPUT, IN_SIZE, OUT_SIZE, pointer, word } from '../../pool/arguments';
import { takes } from '../../pool/max-lanes';
import { gatesOf, GATE_DOUBLES, windowMean } from './blend-tiles-gated';
import { inputRow, pairAt, zeroUncovered } from './blend-tiles';
import { high, low, narrow, ZERO } from './lanes';
import { CHANNEL_TABLE, KEPT_GATES, PLANE_SUMS } from './window';

/** `a` where `mask`'s lanes are set, else `b`: the masks here are whole lanes, so the relaxed select is exact. */
@inline
function choose(a: v128, b: v128, mask: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i32x4.relaxed_laneselect(a, b, mask);
  return v128.bitselect(a, b, mask);
}

/** One tap's f·x added to its float64 sums at `slot` (four lanes: 32 bytes), in window order. */
@inline
function addTerms(slot: usize, valueLow: v128, valueHigh: v128, factorLow: v128, factorHigh: v128): void {
  v128.store(slot, f64x2.add(v128.load(slot), f64x2.mul(factorLow, valueLow)));
  v128.store(slot, f64x2.add(v128.load(slot, 16), f64x2.mul(factorHigh, valueHigh)), 16);
}

/** A tap's cell value (share + f·w) from +0 (`shareLow`/`shareHigh` already +0 + share), rounded to float32. */
@inline
function sharedOf(weights: usize, factorLow: v128, factorHigh: v128, shareLow: v128, shareHigh: v128): v128 {
  return narrow(
    f64x2.add(shareLow, f64x2.mul(factorLow, v128.load(weights))),
    f64x2.add(shareHigh, f64x2.mul(factorHigh, v128.load(weights, 16))),
  );
}

/**
 * One quad of one window with its gates: the four cells' gradients, written at `at` + toGradInput,
 * and their f·x into the sums from `slot` (a tap's sums `tapBytes` apart). `weights`: the quad's table.
 */
@inline
function quadBackward(
  at: usize, right: usize, below: usize, weights: usize, gates: v128, gradient: v128, toGradInput: usize, slot: usize,
  tapBytes: usize,
): void {
  const a = v128.load(at);
  const b = v128.load(at + right);
  const c = v128.load(at + below);
  const d = v128.load(at + below + right);
  const takeB = takes(b, a); // the max by max pooling's rule: the last tap that takes it
  let best = choose(b, a, takeB);
  const takeC = takes(c, best);
  best = choose(c, best, takeC);
  const takeD = takes(d, best);
  best = choose(d, best, takeD);
  const aLow = low(a);
  const bLow = low(b);
  const cLow = low(c);
  const dLow = low(d);
  const aHigh = pairAt(at + 8);
  const bHigh = pairAt(at + right + 8);
  const cHigh = pairAt(at + below + 8);
  const dHigh = pairAt(at + below + right + 8);
  const one = v128.load(GATE_DOUBLES);
  const quarter = v128.load(GATE_DOUBLES, 16);
  const mixLow = low(gates);
  const mixHigh = high(gates);
  const restLow = f64x2.sub(one, mixLow);
  const restHigh = f64x2.sub(one, mixHigh);
  const gradientLow = low(gradient);
  const gradientHigh = high(gradient);
  // f = ((g·(max − mean))·s)·(1 − s) and share = ((1 − s)·g)·¼, as gated-pool.ts orders them.
  let factorLow = f64x2.mul(gradientLow, f64x2.sub(low(best), windowMean(aLow, bLow, cLow, dLow)));
  let factorHigh = f64x2.mul(gradientHigh, f64x2.sub(high(best), windowMean(aHigh, bHigh, cHigh, dHigh)));
  factorLow = f64x2.mul(f64x2.mul(factorLow, mixLow), restLow);
  factorHigh = f64x2.mul(f64x2.mul(factorHigh, mixHigh), restHigh);
  // +0 + (share + f·w) equals (+0 + share) + f·w, zeros' signs included: the +0 once a quad.
  const shareLow = f64x2.add(ZERO, f64x2.mul(f64x2.mul(restLow, gradientLow), quarter));
  const shareHigh = f64x2.add(ZERO, f64x2.mul(f64x2.mul(restHigh, gradientHigh), quarter));
  addTerms(slot, aLow, aHigh, factorLow, factorHigh);
  addTerms(slot + tapBytes, bLow, bHigh, factorLow, factorHigh);
  addTerms(slot + 2 * tapBytes, cLow, cHigh, factorLow, factorHigh);
  addTerms(slot + 3 * tapBytes, dLow, dHigh, factorLow, factorHigh);
  const sharedA = sharedOf(weights, factorLow, factorHigh, shareLow, shareHigh);
  const sharedB = sharedOf(weights + 32, factorLow, factorHigh, shareLow, shareHigh);
  const sharedC = sharedOf(weights + 64, factorLow, factorHigh, shareLow, shareHigh);
  const sharedD = sharedOf(weights + 96, factorLow, factorHigh, shareLow, shareHigh);
  // The max cell's value: its tap's float32 value + s·g (exact in float64), rounded again.
  let atMax = choose(sharedB, sharedA, takeB);
  atMax = choose(sharedC, atMax, takeC);
  atMax = choose(sharedD, atMax, takeD);
  const withMax = narrow(
    f64x2.add(low(atMax), f64x2.mul(mixLow, gradientLow)),
    f64x2.add(high(atMax), f64x2.mul(mixHigh, gradientHigh)),
  );
  const grad = at + toGradInput;
  const laterCD = v128.or(takeC, takeD);
  v128.store(grad, choose(sharedA, withMax, v128.or(takeB, laterCD)));
  v128.store(grad + right, choose(withMax, sharedB, v128.andnot(takeB, laterCD)));
  v128.store(grad + below, choose(withMax, sharedC, v128.andnot(takeC, takeD)));
  v128.store(grad + below + right, choose(withMax, sharedD, takeD));
}

/**
 * Backward, samples [firstUnit, endUnit): every cell of the sample's input gradient written once, and
 * each tap's f·x added to the sample's [tap][channel] float64 sums in window order (plane-terms.ts).
 * The gates from the forward's room when given (training), else computed again.
 */
export function gatedTileBackward(block: usize, firstUnit: i32, endUnit: i32): void {
  const channels = word(block, CHANNELS);
  const cellBytes = <usize>channels << 2;
  const below = <usize>word(block, IN_SIZE + 2) * cellBytes;
  const rowsPerSample = word(block, OUT_SIZE) * word(block, OUT_SIZE + 1);
  const room = pointer(block, KEPT_GATES);
  for (let sample = firstUnit; sample < endUnit; sample++) {
    const sums = pointer(block, PLANE_SUMS) + ((<usize>sample * <usize>channels) << 5); // four taps
    memory.fill(sums, 0, cellBytes << 3);
    for (let unit = sample * rowsPerSample; unit < (sample + 1) * rowsPerSample; unit++) {
      if (room != 0) keptRowBackward(block, unit, cellBytes, below, sums);
      else rowBackward(block, unit, cellBytes, below, sums);
    }
    zeroUncovered(block, sample, cellBytes, below, pointer(block, GRAD_INPUT) - pointer(block, INPUT));
  }
}

/** One output row's windows with the kept gates. */
function keptRowBackward(block: usize, unit: i32, right: usize, below: usize, sums: usize): void {
  const outWidth = word(block, OUT_SIZE + 2);
  const toGradInput = pointer(block, GRAD_INPUT) - pointer(block, INPUT);
  const table = pointer(block, CHANNEL_TABLE);
  const gradientOffset = <usize>unit * <usize>outWidth * right;
  const toKept = pointer(block, KEPT_GATES) - pointer(block, GRAD_OUTPUT);
  let gradient = pointer(block, GRAD_OUTPUT) + gradientOffset;
  let cell = inputRow(block, unit, below);
  for (let column = 0; column < outWidth; column++, cell += right << 1, gradient += right) {
    for (let offset: usize = 0, weights = table; offset < right; offset += 16, weights += 128) {
      const at = gradient + offset;
      const gates = v128.load(at + toKept);
      quadBackward(cell + offset, right, below, weights, gates, v128.load(at), toGradInput, sums + (offset << 1), right << 1);
    }
  }
}

/** One output row's windows, their gates computed again (a backward without the forward's room). */
function rowBackward(block: usize, unit: i32, right: usize, below: usize, sums: usize): void {
  const outWidth = word(block, OUT_SIZE + 2);
  const toGradInput = pointer(block, GRAD_INPUT) - pointer(block, INPUT);
  const table = pointer(block, CHANNEL_TABLE);
  let gradient = pointer(block, GRAD_OUTPUT) + <usize>unit * <usize>outWidth * right;
  let cell = inputRow(block, unit, below);
  for (let column = 0; column < outWidth; column++, cell += right << 1, gradient += right) {
    for (let offset: usize = 0, weights = table; offset < right; offset += 16, weights += 128) {
      const at = cell + offset;
      const gates = gatesOf(at, right, below, weights);
      quadBackward(at, right, below, weights, gates, v128.load(gradient + offset), toGradInput, sums + (offset << 1), right << 1);
    }
  }
}
