// WGSL shared by every pooling shader: the parameter block (params.ts's positions), the element
// index of an invocation, the layout arithmetic of stridesOf, the window taps of axisTaps
// (window-walk.ts), and max's comparison on float bits so that NaN, -0 and subnormals behave as in
// the reference whatever the GPU's float mode (WGSL lets a GPU flush subnormals and assume no NaN).
// Also the divisor and Lp root the window kernels share, and the opening every kernel starts with.
import { Param } from './params.js';

export const WORKGROUP_SIZE = 64;

export const commonWgsl = /* wgsl */ `
@group(0) @binding(0) var<storage, read> params: array<i32>;

fn p(index: u32) -> i32 { return params[index]; }
fn pu(index: u32) -> u32 { return u32(params[index]); }

/** The invocation's work item, or a value >= work when it has none. */
fn workItem(id: vec3<u32>) -> u32 { return id.x + id.y * pu(${Param.threadsPerRow}u); }
fn hasWork(item: u32) -> bool { return item < pu(${Param.work}u); }

/** Element strides of a tensor whose planes hold 'spatial' cells: (batch, channel, spatial). */
fn stridesOf(spatial: u32) -> vec3<u32> {
  let channels = pu(${Param.channels}u);
  if (p(${Param.channelsLast}u) != 0) { return vec3<u32>(spatial * channels, 1u, channels); }
  return vec3<u32>(spatial * channels, spatial, 1u);
}

/** (sample, channel, spatial cell) of element 'element' of a tensor with 'spatial' cells per plane. */
fn locate(element: u32, spatial: u32) -> vec3<u32> {
  let channels = pu(${Param.channels}u);
  let sample = element / (spatial * channels);
  if (p(${Param.channelsLast}u) != 0) { return vec3<u32>(sample, element % channels, (element / channels) % spatial); }
  return vec3<u32>(sample, (element / spatial) % channels, element % spatial);
}

fn inSpatial() -> u32 { return pu(${Param.inDepth}u) * pu(${Param.inHeight}u) * pu(${Param.inWidth}u); }
fn outSpatial() -> u32 { return pu(${Param.outDepth}u) * pu(${Param.outHeight}u) * pu(${Param.outWidth}u); }

/** ceil(a / d) for d > 0, without overflow. */
fn ceilDiv(a: i32, d: i32) -> i32 {
  let quotient = a / d;
  return select(quotient, quotient + 1, a > 0 && a % d != 0);
}

/**
 * axisTaps of window-walk.ts along axis 0 (depth), 1 (height) or 2 (width) for the window whose tap 0
 * sits at 'first': (low, high) in-bounds taps and the taps inside input plus after-padding.
 */
fn axisTaps(axis: u32, first: i32) -> vec3<i32> {
  let kernel = p(${Param.kernelDepth}u + axis);
  let dilation = p(${Param.dilationDepth}u + axis);
  let inSize = p(${Param.inDepth}u + axis);
  let padAfter = p(${Param.padBack}u + axis);
  var low = 0;
  if (first < 0) { low = clamp(ceilDiv(-first, dilation), 0, kernel); }
  let high = max(low, clamp(ceilDiv(inSize - first, dilation), 0, kernel));
  let padded = clamp(ceilDiv(inSize + padAfter - first, dilation), 0, kernel);
  return vec3<i32>(low, high, padded);
}

/** Tap 0 of output cell 'outIndex' along 'axis'. */
fn windowStart(axis: u32, outIndex: i32) -> i32 {
  return outIndex * p(${Param.strideDepth}u + axis) - p(${Param.padFront}u + axis);
}

const NEGATIVE_INFINITY_BITS: u32 = 0xff800000u;

fn isNanBits(bits: u32) -> bool { return (bits & 0x7fffffffu) > 0x7f800000u; }

/** A key whose unsigned order is the float order of non-NaN bits, -0 equal to +0. */
fn orderKey(bits: u32) -> u32 {
  let value = select(bits, 0u, bits == 0x80000000u);
  if ((value & 0x80000000u) != 0u) { return ~value; }
  return value | 0x80000000u;
}

/** The running max of max-pool.ts: a cell wins when greater or NaN; the first visit sets the index. */
struct RunningMax { bits: u32, key: u32, index: i32, isNan: bool }

fn startMax() -> RunningMax { return RunningMax(NEGATIVE_INFINITY_BITS, orderKey(NEGATIVE_INFINITY_BITS), -1, false); }

fn visitMax(state: ptr<function, RunningMax>, bits: u32, spatialIndex: i32) {
  if ((*state).index < 0) { (*state).index = spatialIndex; }
  if (isNanBits(bits)) {
    *state = RunningMax(bits, 0u, spatialIndex, true);
  } else if (!(*state).isNan && orderKey(bits) > (*state).key) {
    *state = RunningMax(bits, orderKey(bits), spatialIndex, false);
  }
}

fn power() -> f32 { return bitcast<f32>(params[${Param.power}u]); }

/** |x|^p as lp-pool.ts computes it: exact for p = 1 and 2 (one rounding), pow otherwise. */
fn powerTerm(magnitude: f32, exponent: f32) -> f32 {
  if (exponent == 1.0) { return magnitude; }
  if (exponent == 2.0) { return magnitude * magnitude; }
  if (exponent == 0.0) { return 1.0; }
  return powerOf(magnitude, exponent);
}

/** pow for magnitude >= 0 with IEEE's special cases, which WGSL's pow (exp2 of log2) leaves undefined. */
fn powerOf(magnitude: f32, exponent: f32) -> f32 {
  if (isNanBits(bitcast<u32>(magnitude)) || magnitude == 0.0) { return magnitude; }
  return pow(magnitude, exponent);
}
`;

const averageWgsl = /* wgsl */ `
/** averageDivisor of avg-pool.ts, as float32. */
fn divisor(inBounds: i32, inPadded: i32) -> f32 {
  let mode = p(${Param.divisorMode}u);
  if (mode == 2) { return bitcast<f32>(params[${Param.divisorOverride}u]); }
  return f32(select(inBounds, inPadded, mode == 1));
}

fn lpRoot(sum: f32, exponent: f32) -> f32 {
  if (exponent == 1.0) { return sum; }
  if (exponent == 2.0) { return sqrt(sum); }
  return powerOf(sum, 1.0 / exponent);
}
`;

type ElementType = 'f32' | 'u32' | 'i32';

/** A storage array a shader binds after params: its WGSL name, its access and its element type. */
export type StorageArray = readonly [name: string, access: 'read' | 'read_write', type: ElementType];

/** An array the shader only reads. */
export const reads = (name: string, type: ElementType): StorageArray => [name, 'read', type];
/** An array the shader writes (and may read). */
export const writes = (name: string, type: ElementType): StorageArray => [name, 'read_write', type];

/** The WGSL declarations of `arrays`, bound in order from binding `first` (binding 0 is params). */
export function storageBindings(arrays: readonly StorageArray[], first = 1): string {
  return arrays
    .map(
      ([name, access, type], index) =>
        `\n@group(0) @binding(${first + index}) var<storage, ${access}> ${name}: array<${type}>;`,
    )
    .join('');
}

/** A compute shader's opening: the common WGSL, the divisor and Lp root, `bindings`, and main's first lines. */
export const header = (bindings: string): string => `${commonWgsl}${averageWgsl}${bindings}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let element = workItem(id);
  if (!hasWork(element)) { return; }`;
