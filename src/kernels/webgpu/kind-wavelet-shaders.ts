// Wavelet pooling's WGSL (wavelet-pool.ts: two Haar levels, level 1's details dropped, level 1's
// approximation rebuilt from level 2). Level 2's analysis then synthesis is the identity on finite
// values, so the forward per output cell is the level-1 approximation of its level-2 block, which
// then goes through level 2's pair steps only where a value is not finite (NaN and ±Infinity spread
// as in the reference's float64 arithmetic); the backward per input cell, the transposed steps.
import { KindParam } from './kind-walk.js';
import { Param } from './params.js';
import { header, reads, storageBindings, writes } from './shader-common.js';

const waveletWgsl = `
const HALF_ROOT: f32 = 0.707106781;
/** Whether axis 0 (depth), 1 (height) or 2 (width) is transformed: the rank's axes. */
fn transformed(axis: u32) -> bool { return axis + pu(${KindParam.coefficient}u) >= 3u; }
fn inSize(axis: u32) -> i32 { return p(${Param.inDepth}u + axis); }
fn levelSize(axis: u32) -> i32 { return p(${Param.outDepth}u + axis); }
fn bitOf(axis: u32) -> u32 { return 4u >> axis; }
fn cellOf(spatial: u32, sizes: vec3<i32>) -> vec3<i32> {
  let index = i32(spatial);
  return vec3<i32>(index / (sizes.y * sizes.z), (index / sizes.z) % sizes.y, index % sizes.z);
}
fn flat(cell: vec3<i32>, sizes: vec3<i32>) -> u32 { return u32((cell.x * sizes.y + cell.y) * sizes.z + cell.z); }
fn offsetOf(k: u32) -> vec3<i32> { return vec3<i32>(i32((k >> 2u) & 1u), i32((k >> 1u) & 1u), i32(k & 1u)); }
fn finiteBits(bits: u32) -> bool { return (bits & 0x7f800000u) != 0x7f800000u; }
fn finite(value: f32) -> bool { return finiteBits(bitcast<u32>(value)); }
fn missingNumber() -> f32 { return bitcast<f32>(0x7fc00000u | (pu(0u) & 0u)); }
fn negate(value: f32) -> f32 { return bitcast<f32>(bitcast<u32>(value) ^ 0x80000000u); }
/** x + y as IEEE adds infinities and NaN (WGSL lets a GPU assume neither exists). */
fn ieeeAdd(x: f32, y: f32) -> f32 {
  let xBits = bitcast<u32>(x);
  let yBits = bitcast<u32>(y);
  if (isNanBits(xBits) || isNanBits(yBits)) { return missingNumber(); }
  if (!finiteBits(xBits) && !finiteBits(yBits)) { return select(missingNumber(), x, xBits == yBits); }
  if (!finiteBits(xBits)) { return x; }
  if (!finiteBits(yBits)) { return y; }
  return x + y;
}
/** Haar analysis then synthesis of the pair (a, b): (a, b) when both are finite, else as IEEE gives (no scale matters then). */
fn roundTrip(a: f32, b: f32) -> vec2<f32> {
  if (finite(a) && finite(b)) { return vec2<f32>(a, b); }
  let low = ieeeAdd(a, b);
  let high = ieeeAdd(a, negate(b));
  return vec2<f32>(ieeeAdd(low, high), ieeeAdd(low, negate(high)));
}
/** Whether block entry k exists: on no untransformed axis and inside level 1. */
fn inBlock(k: u32, base: vec3<i32>) -> bool {
  let at = base + offsetOf(k);
  for (var axis = 0u; axis < 3u; axis++) {
    if ((k & bitOf(axis)) != 0u && (!transformed(axis) || at[axis] >= levelSize(axis))) { return false; }
  }
  return true;
}
/** Level 2's pair step along 'axis' over the block: forward (repeat an unpaired cell, crop) or transposed (pair it with 0, fold). */
fn pairStep(block: ptr<function, array<f32, 8>>, base: vec3<i32>, axis: u32, forward: bool) {
  let bit = bitOf(axis);
  let paired = base[axis] + 1 < levelSize(axis);
  for (var k = 0u; k < 8u; k++) {
    if ((k & bit) != 0u || !inBlock(k, base)) { continue; }
    let a = (*block)[k];
    let b = select(select(0.0, a, forward), (*block)[k | bit], paired);
    let result = roundTrip(a, b);
    if (paired) { (*block)[k] = result.x; (*block)[k | bit] = result.y; }
    else if (forward) { (*block)[k] = result.x; }
    else { (*block)[k] = select(ieeeAdd(result.x, result.y), a, finite(a)); }
  }
}
fn levelSizes() -> vec3<i32> { return vec3<i32>(levelSize(0u), levelSize(1u), levelSize(2u)); }
fn inSizes() -> vec3<i32> { return vec3<i32>(inSize(0u), inSize(1u), inSize(2u)); }
/** Level 2's block holding level-1 cell 'cell': its first cell. */
fn blockBase(cell: vec3<i32>) -> vec3<i32> {
  var base = cell;
  for (var axis = 0u; axis < 3u; axis++) { if (transformed(axis)) { base[axis] = cell[axis] & ~1; } }
  return base;
}
/** 2^(−rank/2): Haar's 1/√2 once per transformed axis. */
fn levelScale() -> f32 {
  var scale: f32 = 1.0;
  for (var axis = 0u; axis < 3u; axis++) { if (transformed(axis)) { scale = scale * HALF_ROOT; } }
  return scale;
}`;

/** The level-1 approximation at 'cell': its input cells (an unpaired last cell repeated) summed, times 2^(−rank/2). */
const approximationWgsl = `
fn approximation(cell: vec3<i32>, inBase: u32, inStride: u32) -> f32 {
  var total: f32 = 0.0;
  for (var k = 0u; k < 8u; k++) {
    var at = cell;
    var skip = false;
    for (var axis = 0u; axis < 3u; axis++) {
      let step = offsetOf(k)[axis];
      if (step != 0 && !transformed(axis)) { skip = true; }
      if (transformed(axis)) { at[axis] = min(2 * cell[axis] + step, inSize(axis) - 1); }
    }
    if (skip) { continue; }
    total = ieeeAdd(total, bitcast<f32>(input[inBase + flat(at, inSizes()) * inStride]));
  }
  return select(total, total * levelScale(), finite(total));
}`;

const waveletForward = `${header(waveletWgsl + approximationWgsl + storageBindings([reads('input', 'u32'), writes('output', 'f32')]))}
  let at = locate(element, outSpatial());
  let inStrides = stridesOf(inSpatial());
  let inBase = at.x * inStrides.x + at.y * inStrides.y;
  let cell = cellOf(at.z, levelSizes());
  let base = blockBase(cell);
  var block: array<f32, 8>;
  for (var k = 0u; k < 8u; k++) {
    block[k] = 0.0;
    if (inBlock(k, base)) { block[k] = approximation(base + offsetOf(k), inBase, inStrides.z); }
  }
  for (var axis = 0u; axis < 3u; axis++) { if (transformed(axis)) { pairStep(&block, base, axis, true); } }
  let own = cell - base;
  output[element] = block[u32(own.x * 4 + own.y * 2 + own.z)];
}`;

/** ∂x at an input cell: its level-1 cell's transposed level-2 value times 1/√2 per axis (2/√2 for a repeated last cell). */
const waveletBackward = `${header(waveletWgsl + storageBindings([reads('gradOutput', 'f32'), writes('gradInput', 'f32')]))}
  let at = locate(element, inSpatial());
  let outStrides = stridesOf(outSpatial());
  let outBase = at.x * outStrides.x + at.y * outStrides.y;
  let input = cellOf(at.z, inSizes());
  var cell = input;
  var scale: f32 = 1.0;
  for (var axis = 0u; axis < 3u; axis++) {
    if (!transformed(axis)) { continue; }
    cell[axis] = input[axis] / 2;
    let repeated = input[axis] == inSize(axis) - 1 && inSize(axis) % 2 == 1;
    scale = scale * select(HALF_ROOT, 2.0 * HALF_ROOT, repeated);
  }
  let base = blockBase(cell);
  var block: array<f32, 8>;
  for (var k = 0u; k < 8u; k++) {
    block[k] = 0.0;
    if (inBlock(k, base)) { block[k] = gradOutput[outBase + flat(base + offsetOf(k), levelSizes()) * outStrides.z]; }
  }
  for (var axis = 3u; axis > 0u; axis--) { if (transformed(axis - 1u)) { pairStep(&block, base, axis - 1u, false); } }
  let own = cell - base;
  let value = block[u32(own.x * 4 + own.y * 2 + own.z)];
  gradInput[element] = select(value, value * scale, finite(value));
}`;

export const waveletKindShaders: Readonly<Record<string, () => string>> = {
  waveletKindForward: () => waveletForward,
  waveletKindBackward: () => waveletBackward,
};
