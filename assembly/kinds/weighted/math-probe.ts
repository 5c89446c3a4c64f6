// expLanes and logLanes over a float32 array, for their accuracy test (test/wasm/kinds-weighted.test.ts), and
// lanes.ts's perCell, for its bit-for-bit test against the division.
import { INPUT, OUTPUT, pointer, word } from '../../pool/arguments';
import {
  expLanes, expm1Lanes, expWeightLanes, expWeightPairLanes, log1pLanes, log1pNonPositiveLanes, logLanes, logShortLanes,
  weightLessOne,
} from '../simd-math';
import { MATH_MODE } from './arguments';
import { perCell } from './lanes';

/** perCell's cell counts, modes 8 to 12: powers of two (a product) and not (the division). */
const PER_CELL_COUNTS: StaticArray<i32> = [1, 4, 6, 8, 16];

/** Groups of four elements [firstUnit, endUnit): OUTPUT = e^INPUT (MATH_MODE 0), ln INPUT (1), e^INPUT − 1 (2), ln(1 + INPUT) (3), expWeightLanes (4), expWeightPairLanes' e^x − 1 (5) logShortLanes (6), log1pNonPositiveLanes (7) or INPUT/n by perCell (8 to 12: PER_CELL_COUNTS). */
export function mathLanes(block: usize, firstUnit: i32, endUnit: i32): void {
  const input = pointer(block, INPUT);
  const output = pointer(block, OUTPUT);
  const mode = word(block, MATH_MODE);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    const offset = <usize>unit << 4;
    const value = v128.load(input + offset);
    const result =
      mode == 0 ? expLanes(value) : mode == 1 ? logLanes(value) : mode == 2 ? expm1Lanes(value, expLanes(value)) : mode == 3 ? log1pLanes(value) : mode == 4 ? expWeightLanes(value) : mode == 5 ? pairLessOne(value) : mode == 6 ? logShortLanes(value) : mode == 7 ? log1pNonPositiveLanes(value) : perCell(value, PER_CELL_COUNTS[mode - 8]);
    v128.store(output + offset, result);
  }
}

/** expWeightPairLanes' e^x − 1, after checking that its e^x is expWeightLanes' (else NaN lanes). */
function pairLessOne(value: v128): v128 {
  const same = i32x4.eq(expWeightPairLanes(value), expWeightLanes(value));
  return v128.bitselect(weightLessOne, f32x4.splat(NaN), same);
}
