// The argument block: where the TypeScript side (src/kernels/wasm/pool-arguments.ts) writes a
// kernel's pointers and sizes. i32 words by index; the two f64 fields by byte offset.

export const BATCH = 0;
export const CHANNELS = 1;
/** IN_SIZE + axis, OUT_SIZE + axis, ...: axis 0 depth, 1 height, 2 width. */
export const IN_SIZE = 2;
export const OUT_SIZE = 5;
export const KERNEL = 8;
export const STRIDE = 11;
export const DILATION = 14;
export const PAD_BEFORE = 17;
export const PAD_AFTER = 20;
export const CHANNELS_LAST = 23;
/** 1: adaptive windows (floor(i·In/Out) to ceil((i+1)·In/Out)); kernel, stride and pads unused. */
export const ADAPTIVE = 24;
export const INPUT = 25;
export const OUTPUT = 26;
/** 0 when no argmax is wanted. */
export const ARGMAX = 27;
export const GRAD_OUTPUT = 28;
export const GRAD_INPUT = 29;
export const COUNT_INCLUDE_PAD = 30;
export const HAS_DIVISOR_OVERRIDE = 31;
/** Byte offsets of the f64 fields (words 32 to 35). */
export const DIVISOR_OVERRIDE_BYTES = 128;
export const P_BYTES = 136;
/** Scratch for the average backward (average-gather.ts): its pointer and bytes per thread slot (word 38 unused). */
export const SCRATCH = 36;
export const SCRATCH_SLOT_BYTES = 37;

// Argmax planes reuse the block: BATCH, CHANNELS, CHANNELS_LAST and these.
export const LARGE_SPATIAL = 2;
export const SMALL_SPATIAL = 3;
export const SMALL = 25;
export const LARGE = 26;
export const INDICES = 27;

@inline
export function word(block: usize, index: i32): i32 {
  return load<i32>(block + (<usize>index << 2));
}

/** A pointer field: byte offsets may pass 2 GiB, so they are read unsigned. */
@inline
export function pointer(block: usize, index: i32): usize {
  return <usize>load<u32>(block + (<usize>index << 2));
}
