// Mixed pooling where the windows tile the input: 2x2 at stride 2, unpadded, undilated, channelsLast,
// whole channel quads (src/kernels/wasm/kinds/selection.ts's mixedTiles decides). A row of windows
// is a straight loop over cells and quads, with no window tables, per-window calls or globals; the
// arithmetic is blend-dense.ts's, in the reference's float64 order, so bit for bit the same. The
// table holds each quad's proportions a and 1 − a as float64 (one quad: a×4, then (1 − a)×4).
import { CHANNELS, GRAD_INPUT, GRAD_OUTPUT, INPUT, IN_SIZE, OUTPUT, OUT_SIZE, pointer, word } from '../../pool/arguments';
import { takes } from '../../pool/max-lanes';
import { meanOf, QUARTER } from './blend-dense';
import { high, low, narrow, ZERO } from './lanes';
import { CHANNEL_TABLE, PLANE_SUMS } from './window';

/** The float32 pair at `address` widened exactly to float64. */
@inline
export function pairAt(address: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(address));
}

/**
 * a·max + (1 − a)·mean of one pair of channels whose four taps start at `at`. pmax keeps the first
 * of ties (±0 included) as max pooling does but may skip a NaN: then the mean, and so the output, is
 * NaN anyway.
 */
@inline
function blendPair(at: usize, right: usize, below: usize, mix: v128, rest: v128): v128 {
  const a = pairAt(at);
  const b = pairAt(at + right);
  const c = pairAt(at + below);
  const d = pairAt(at + below + right);
  const maximum = f64x2.pmax(f64x2.pmax(f64x2.pmax(a, b), c), d);
  return f64x2.add(f64x2.mul(mix, maximum), f64x2.mul(rest, meanOf(a, b, c, d)));
}

/** Where the input row of output row `unit` starts (row 2·r of its plane; outDepth = inDepth). */
@inline
export function inputRow(block: usize, unit: i32, below: usize): usize {
  const outHeight = word(block, OUT_SIZE + 1);
  const plane = unit / outHeight;
  const rowPairs = <usize>plane * <usize>word(block, IN_SIZE + 1) + (<usize>(unit - plane * outHeight) << 1);
  return pointer(block, INPUT) + rowPairs * below;
}

/** Forward, output rows [firstUnit, endUnit). */
export function mixedTileRows(block: usize, firstUnit: i32, endUnit: i32): void {
  const cellBytes = <usize>word(block, CHANNELS) << 2;
  const below = <usize>word(block, IN_SIZE + 2) * cellBytes;
  const outWidth = word(block, OUT_SIZE + 2);
  const table = pointer(block, CHANNEL_TABLE);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    let cell = inputRow(block, unit, below);
    let output = pointer(block, OUTPUT) + <usize>unit * <usize>outWidth * cellBytes;
    for (let column = 0; column < outWidth; column++, cell += cellBytes << 1, output += cellBytes) {
      for (let offset: usize = 0, terms = table; offset < cellBytes; offset += 16, terms += 64) {
        const lowHalf = blendPair(cell + offset, cellBytes, below, v128.load(terms), v128.load(terms, 32));
        const highHalf = blendPair(cell + offset + 8, cellBytes, below, v128.load(terms, 16), v128.load(terms, 48));
        v128.store(output + offset, narrow(lowHalf, highHalf));
      }
    }
  }
}

/**
 * Backward, samples [firstUnit, endUnit): every cell of the sample's input gradient written once (the
 * windows' cells, then the cells no window covers, zero), and ∂y/∂a's terms g·(max − mean) added to
 * the sample's per-channel float64 sums in window order (plane-terms.ts's NHWC layout, one weight).
 */
export function mixedTileBackward(block: usize, firstUnit: i32, endUnit: i32): void {
  const channels = word(block, CHANNELS);
  const cellBytes = <usize>channels << 2;
  const below = <usize>word(block, IN_SIZE + 2) * cellBytes;
  const rowsPerSample = word(block, OUT_SIZE) * word(block, OUT_SIZE + 1);
  const outWidth = word(block, OUT_SIZE + 2);
  const toGradInput = pointer(block, GRAD_INPUT) - pointer(block, INPUT);
  for (let sample = firstUnit; sample < endUnit; sample++) {
    const sums = pointer(block, PLANE_SUMS) + ((<usize>sample * <usize>channels) << 3);
    memory.fill(sums, 0, cellBytes << 1);
    for (let unit = sample * rowsPerSample; unit < (sample + 1) * rowsPerSample; unit++) {
      let cell = inputRow(block, unit, below);
      let gradient = pointer(block, GRAD_OUTPUT) + <usize>unit * <usize>outWidth * cellBytes;
      for (let column = 0; column < outWidth; column++, cell += cellBytes << 1, gradient += cellBytes) {
        mixedTileCellsBackward(block, cell, gradient, cellBytes, below, toGradInput, sums);
      }
    }
    zeroUncovered(block, sample, cellBytes, below, toGradInput);
  }
}

/** One window's quads: the four cells' gradients and the sums' terms. */
@inline
function mixedTileCellsBackward(
  block: usize, cell: usize, gradients: usize, right: usize, below: usize, toGradInput: usize, sums: usize,
): void {
  for (let offset: usize = 0, terms = pointer(block, CHANNEL_TABLE); offset < right; offset += 16, terms += 64) {
    const at = cell + offset;
    const a = v128.load(at);
    const b = v128.load(at + right);
    const c = v128.load(at + below);
    const d = v128.load(at + below + right);
    // The max cell by max pooling's rule (greater or NaN replaces; the first of ties stays).
    const takeB = takes(b, a);
    let best = v128.bitselect(b, a, takeB);
    const takeC = takes(c, best);
    best = v128.bitselect(c, best, takeC);
    const takeD = takes(d, best);
    best = v128.bitselect(d, best, takeD);
    const gradient = v128.load(gradients + offset);
    const gradientLow = low(gradient);
    const gradientHigh = high(gradient);
    const meanLow = meanOf(low(a), low(b), low(c), low(d));
    const meanHigh = meanOf(pairAt(at + 8), pairAt(at + right + 8), pairAt(at + below + 8), pairAt(at + below + right + 8));
    const slot = sums + (offset << 1);
    v128.store(slot, f64x2.add(v128.load(slot), f64x2.mul(gradientLow, f64x2.sub(low(best), meanLow))));
    v128.store(slot, f64x2.add(v128.load(slot, 16), f64x2.mul(gradientHigh, f64x2.sub(high(best), meanHigh))), 16);
    // (1 − a)·g/4 to every cell from +0, then + a·g at the max: the two values a cell may get.
    const shareLow = f64x2.mul(f64x2.mul(v128.load(terms, 32), gradientLow), QUARTER);
    const shareHigh = f64x2.mul(f64x2.mul(v128.load(terms, 48), gradientHigh), QUARTER);
    const shared = narrow(f64x2.add(ZERO, shareLow), f64x2.add(ZERO, shareHigh));
    const toMaxLow = f64x2.add(low(shared), f64x2.mul(v128.load(terms), gradientLow));
    const toMaxHigh = f64x2.add(high(shared), f64x2.mul(v128.load(terms, 16), gradientHigh));
    const withMax = narrow(toMaxLow, toMaxHigh);
    const laterCD = v128.or(takeC, takeD);
    const grad = at + toGradInput;
    v128.store(grad, v128.bitselect(shared, withMax, v128.or(takeB, laterCD)));
    v128.store(grad + right, v128.bitselect(withMax, shared, v128.andnot(takeB, laterCD)));
    v128.store(grad + below, v128.bitselect(withMax, shared, v128.andnot(takeC, takeD)));
    v128.store(grad + below + right, v128.bitselect(withMax, shared, takeD));
  }
}

/** Zeroes the sample's input-gradient cells no window covers: the last column and row of odd sizes. */
export function zeroUncovered(block: usize, sample: i32, cellBytes: usize, below: usize, toGradInput: usize): void {
  const inHeight = word(block, IN_SIZE + 1);
  const covered = word(block, OUT_SIZE + 1) << 1;
  const coveredBytes = <usize>(word(block, OUT_SIZE + 2) << 1) * cellBytes;
  const planes = word(block, IN_SIZE);
  for (let plane = sample * planes; plane < (sample + 1) * planes; plane++) {
    const first = pointer(block, INPUT) + toGradInput + <usize>plane * <usize>inHeight * below;
    if (coveredBytes < below) {
      for (let row = 0; row < covered; row++) {
        memory.fill(first + <usize>row * below + coveredBytes, 0, below - coveredBytes);
      }
    }
    memory.fill(first + <usize>covered * below, 0, <usize>(inHeight - covered) * below);
  }
}
