// LSTM pooling's element-wise step over all windows (the matrix products run in the train module's
// matmul between calls): the gates' non-linearities and the cell update, their backward, and the
// bias gradient's column sums. One unit is one window (a column block for the sums). The
// arithmetic follows src/kernels/reference/extra/lstm-batched.ts in float32 lanes.
import {
  BIAS,
  CARRY,
  CELLS,
  COUNTS,
  GATES,
  GRAD_CELL,
  GRAD_GATES,
  GRAD_HIDDEN,
  HIDDEN,
  HIDDENS,
  NEXT_CELLS,
  NEXT_HIDDENS,
  STEP,
  WINDOWS,
  pointer,
  word,
} from './lstm-arguments';
import { isSmallTanh, sigmoidLanes, smallTanh, tanhLanes, tanhQuotient, withSignOf } from './lstm-math';

/**
 * The least float32 |c| whose float64 tanh is exactly 1 (Math.tanh): there the reference's 1 − tanh²
 * is 0, so ∂L/∂h·o·0 is NaN for an infinite ∂L/∂h; 4q(1 − q) would leave a tiny non-zero instead.
 */
const SATURATED_TANH: f32 = 19.061548233032227;

/** Four lanes from `at`, or one (in lane 0) at a row's remainder. */
@inline
function read(at: usize, whole: bool): v128 {
  return whole ? v128.load(at) : f32x4.splat(load<f32>(at));
}

@inline
function write(at: usize, value: v128, whole: bool): void {
  if (whole) v128.store(at, value);
  else store<f32>(at, f32x4.extract_lane(value, 0));
}

/** Copies `count` floats (carrying a finished window's state). */
function copyFloats(from: usize, to: usize, count: i32): void {
  let index = 0;
  for (; index + 4 <= count; index += 4) v128.store(to + (<usize>index << 2), v128.load(from + (<usize>index << 2)));
  for (; index < count; index++) store<f32>(to + (<usize>index << 2), load<f32>(from + (<usize>index << 2)));
}

/** Units at byte offset `unitBytes` of one window: gates activated in place, state t + 1 written. */
@inline
function forwardLanes(block: usize, gates: usize, state: usize, unitBytes: usize, whole: bool): void {
  const blockBytes = <usize>word(block, HIDDEN) << 2;
  const bias = pointer(block, BIAS) + unitBytes;
  const at = gates + unitBytes;
  const inputGate = sigmoidLanes(f32x4.add(read(at, whole), read(bias, whole)));
  const forgetGate = sigmoidLanes(f32x4.add(read(at + blockBytes, whole), read(bias + blockBytes, whole)));
  const candidate = tanhLanes(f32x4.add(read(at + 2 * blockBytes, whole), read(bias + 2 * blockBytes, whole)));
  const outputGate = sigmoidLanes(f32x4.add(read(at + 3 * blockBytes, whole), read(bias + 3 * blockBytes, whole)));
  write(at, inputGate, whole);
  write(at + blockBytes, forgetGate, whole);
  write(at + 2 * blockBytes, candidate, whole);
  write(at + 3 * blockBytes, outputGate, whole);
  const cell = read(pointer(block, CELLS) + state, whole);
  const nextCell = f32x4.add(f32x4.mul(forgetGate, cell), f32x4.mul(inputGate, candidate));
  write(pointer(block, NEXT_CELLS) + state, nextCell, whole);
  write(pointer(block, NEXT_HIDDENS) + state, f32x4.mul(outputGate, tanhLanes(nextCell)), whole);
}

/** lstmCellForward (lstm-batched.ts) for windows [first, end). */
export function lstmCellForwardRows(block: usize, first: i32, end: i32): void {
  const hidden = word(block, HIDDEN);
  const step = word(block, STEP);
  const counts = pointer(block, COUNTS);
  const gates = pointer(block, GATES);
  for (let window = first; window < end; window++) {
    const stateBase = <usize>window * <usize>hidden * 4;
    if (step >= load<i32>(counts + (<usize>window << 2))) {
      copyFloats(pointer(block, CELLS) + stateBase, pointer(block, NEXT_CELLS) + stateBase, hidden);
      copyFloats(pointer(block, HIDDENS) + stateBase, pointer(block, NEXT_HIDDENS) + stateBase, hidden);
      continue;
    }
    const gateBase = gates + <usize>window * <usize>hidden * 16;
    let unit = 0;
    for (; unit + 4 <= hidden; unit += 4) forwardLanes(block, gateBase, stateBase + (<usize>unit << 2), <usize>unit << 2, true);
    for (; unit < hidden; unit++) forwardLanes(block, gateBase, stateBase + (<usize>unit << 2), <usize>unit << 2, false);
  }
}

/** Backward of forwardLanes (∂L/∂z, ∂L/∂c of state t); 1 − tanh² c without cancellation (see tanhQuotient). */
@inline
function backwardLanes(block: usize, gates: usize, state: usize, unitBytes: usize, whole: bool): void {
  const blockBytes = <usize>word(block, HIDDEN) << 2;
  const at = gates + unitBytes;
  const inputGate = read(at, whole);
  const forgetGate = read(at + blockBytes, whole);
  const candidate = read(at + 2 * blockBytes, whole);
  const outputGate = read(at + 3 * blockBytes, whole);
  const nextCell = read(pointer(block, NEXT_CELLS) + state, whole);
  const magnitude = f32x4.abs(nextCell);
  const quotient = tanhQuotient(magnitude);
  const small = isSmallTanh(magnitude);
  const polynomial = smallTanh(magnitude);
  const one = f32x4.splat(1.0);
  const largeTanh = f32x4.sub(one, f32x4.mul(f32x4.splat(2.0), quotient));
  const squashed = withSignOf(v128.bitselect(polynomial, largeTanh, small), nextCell);
  const largeSlope = f32x4.mul(f32x4.mul(f32x4.splat(4.0), quotient), f32x4.sub(one, quotient));
  const slope = v128.bitselect(
    f32x4.splat(0),
    v128.bitselect(f32x4.sub(one, f32x4.mul(polynomial, polynomial)), largeSlope, small),
    f32x4.ge(magnitude, f32x4.splat(SATURATED_TANH)),
  );
  const gradHidden = read(pointer(block, GRAD_HIDDEN) + state, whole);
  const gradCellAt = pointer(block, GRAD_CELL) + state;
  const total = f32x4.add(read(gradCellAt, whole), f32x4.mul(f32x4.mul(gradHidden, outputGate), slope));
  const out = pointer(block, GRAD_GATES) + (gates - pointer(block, GATES)) + unitBytes;
  const cell = read(pointer(block, CELLS) + state, whole);
  const inputSlope = f32x4.mul(inputGate, f32x4.sub(one, inputGate));
  const forgetSlope = f32x4.mul(forgetGate, f32x4.sub(one, forgetGate));
  const outputSlope = f32x4.mul(outputGate, f32x4.sub(one, outputGate));
  write(out, f32x4.mul(f32x4.mul(total, candidate), inputSlope), whole);
  write(out + blockBytes, f32x4.mul(f32x4.mul(total, cell), forgetSlope), whole);
  const candidateSlope = f32x4.sub(one, f32x4.mul(candidate, candidate));
  write(out + 2 * blockBytes, f32x4.mul(f32x4.mul(total, inputGate), candidateSlope), whole);
  write(out + 3 * blockBytes, f32x4.mul(f32x4.mul(gradHidden, squashed), outputSlope), whole);
  write(gradCellAt, f32x4.mul(total, forgetGate), whole);
}

/** lstmCellBackward (lstm-batched.ts) for windows [first, end), except the bias sums (lstmBiasColumns). */
export function lstmCellBackwardRows(block: usize, first: i32, end: i32): void {
  const hidden = word(block, HIDDEN);
  const step = word(block, STEP);
  const counts = pointer(block, COUNTS);
  const zero = f32x4.splat(0);
  for (let window = first; window < end; window++) {
    const stateBase = <usize>window * <usize>hidden * 4;
    const gateOffset = <usize>window * <usize>hidden * 16;
    const carry = pointer(block, CARRY) + stateBase;
    if (step >= load<i32>(counts + (<usize>window << 2))) {
      copyFloats(pointer(block, GRAD_HIDDEN) + stateBase, carry, hidden);
      const out = pointer(block, GRAD_GATES) + gateOffset;
      let index = 0;
      for (; index + 4 <= 4 * hidden; index += 4) v128.store(out + (<usize>index << 2), zero);
      continue;
    }
    const gates = pointer(block, GATES) + gateOffset;
    let unit = 0;
    for (; unit + 4 <= hidden; unit += 4) {
      v128.store(carry + (<usize>unit << 2), zero);
      backwardLanes(block, gates, stateBase + (<usize>unit << 2), <usize>unit << 2, true);
    }
    for (; unit < hidden; unit++) {
      store<f32>(carry + (<usize>unit << 2), 0);
      backwardLanes(block, gates, stateBase + (<usize>unit << 2), <usize>unit << 2, false);
    }
  }
}

/**
 * gradBias[j] += ∂L/∂z[w, j] over the active windows w in order (the reference's order, so the same
 * float32 sums); a unit is a block of 16 columns (one cache line of each row).
 */
export function lstmBiasColumns(block: usize, first: i32, end: i32): void {
  const width = 4 * word(block, HIDDEN);
  const windows = word(block, WINDOWS);
  const step = word(block, STEP);
  const counts = pointer(block, COUNTS);
  const gradGates = pointer(block, GRAD_GATES);
  const gradBias = pointer(block, BIAS);
  const rowBytes = <usize>width << 2;
  const zero = f32x4.splat(0);
  for (let unit = first; unit < end; unit++) {
    const columns = min(16, width - unit * 16);
    const at = gradBias + (<usize>unit << 6);
    let first4 = v128.load(at);
    let second4 = columns > 4 ? v128.load(at + 16) : zero;
    let third4 = columns > 8 ? v128.load(at + 32) : zero;
    let fourth4 = columns > 12 ? v128.load(at + 48) : zero;
    let row = gradGates + (<usize>unit << 6);
    for (let window = 0; window < windows; window++, row += rowBytes) {
      if (step >= load<i32>(counts + (<usize>window << 2))) continue;
      first4 = f32x4.add(first4, v128.load(row));
      if (columns > 4) second4 = f32x4.add(second4, v128.load(row + 16));
      if (columns > 8) third4 = f32x4.add(third4, v128.load(row + 32));
      if (columns > 12) fourth4 = f32x4.add(fourth4, v128.load(row + 48));
    }
    v128.store(at, first4);
    if (columns > 4) v128.store(at + 16, second4);
    if (columns > 8) v128.store(at + 32, third4);
    if (columns > 12) v128.store(at + 48, fourth4);
  }
}
