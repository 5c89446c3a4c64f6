// expLanes and logLanes over a float32 array, for their accuracy test (test/wasm/kinds-weighted.test.ts).
import { INPUT, OUTPUT, pointer, word } from '../../pool/arguments';
import { expLanes, logLanes } from '../simd-math';
import { MATH_MODE } from './arguments';

/** Groups of four elements [firstUnit, endUnit): OUTPUT = e^INPUT (MATH_MODE 0) or ln INPUT (1). */
export function mathLanes(block: usize, firstUnit: i32, endUnit: i32): void {
  const input = pointer(block, INPUT);
  const output = pointer(block, OUTPUT);
  const logarithm = word(block, MATH_MODE) != 0;
  for (let unit = firstUnit; unit < endUnit; unit++) {
    const offset = <usize>unit << 4;
    const value = v128.load(input + offset);
    v128.store(output + offset, logarithm ? logLanes(value) : expLanes(value));
  }
}
