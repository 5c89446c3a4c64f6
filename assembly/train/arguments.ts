// The train module's argument block: i32 words written by src/kernels/wasm/train-arguments.ts (the
// word numbers there must equal these). Pointers are byte offsets into the shared heap memory.
import { currentThreadSlot } from '../shared/thread-slot';

/** How packA reads op(a): a plain [m, k], a transposed [k, m], im2col rows, or transposed im2col. */
export const A_KIND = 0;
export const B_TRANSPOSED = 1;
export const M = 2;
export const K = 3;
export const N = 4;
export const A_POINTER = 5;
export const B_POINTER = 6;
export const C_POINTER = 7;
export const BIAS_POINTER = 8;
/** How the first depth block starts each output tile: zero, load (accumulate) or bias. */
export const INIT = 9;
export const PACKED_B = 10;
export const SCRATCH = 11;
export const SCRATCH_BYTES = 12;
// Word 13 is unused (it counted scratch slots; a thread's slot is now currentThreadSlot()).
export const ROW_BLOCK = 14;
export const COLUMN_CHUNK = 15;
export const COLUMN_CHUNKS = 16;
export const DEPTH_CHUNK = 17;
export const PARTIALS = 18;
export const PARTIAL_COUNT = 19;
export const BATCH = 20;
export const IN_HEIGHT = 21;
export const IN_WIDTH = 22;
export const CHANNELS = 23;
export const OUT_HEIGHT = 24;
export const OUT_WIDTH = 25;
export const KERNEL_WIDTH = 26;
export const STRIDE_HEIGHT = 27;
export const STRIDE_WIDTH = 28;
export const DILATION_HEIGHT = 29;
export const DILATION_WIDTH = 30;
export const PAD_TOP = 31;
export const PAD_LEFT = 32;
export const GRAD_INPUT = 33;
export const KERNEL_HEIGHT = 34;

// Elementwise kernels (elementwise.ts): an element count, up to four array pointers, a flag, and
// float64 hyper-parameters (f64, so the update rounds exactly as the TypeScript reference does).
export const ELEMENT_COUNT = 40;
export const ARRAY_0 = 41;
export const ARRAY_1 = 42;
export const ARRAY_2 = 43;
export const ARRAY_3 = 44;
export const FLAG = 45;
/** Direct convolution (direct.ts): where the filter-bias gradient goes (0: none). */
export const GRAD_BIAS = 46;
/** Direct convolution: the forward applies relu in its epilogue when 1; the filter gradient masks dY by
 * relu's saved output (dY where output > 0) when this pointer is not 0. */
export const RELU = 47;
export const RELU_OUTPUT = 48;
/** Convolution fused with a 2x2 stride-2 max pool (conv-pool.ts): the pooled output and its argmax
 * (flat indices in the convolution's output plane), and the pooled height and width. The filter
 * gradient reads the pooled dY through the argmax when POOL_ARGMAX is not 0. */
export const POOL_OUTPUT = 49;
export const POOL_ARGMAX = 50;
export const POOL_HEIGHT = 51;
export const POOL_WIDTH = 52;
/** Byte offset in the block of the direct kernels' tap table: k byte offsets, window origin → (tap, channel). */
export const TAP_TABLE_BYTES: usize = 1024;
/** Byte offset of the float64 parameters in the block (8-aligned, past every i32 word). */
export const REALS_BYTES: usize = 256;
/** Elements per work unit of an elementwise kernel: 16 KiB of each float32 array. */
export const ELEMENT_UNIT = 4096;

export const KIND_PLAIN = 0;
export const KIND_TRANSPOSED = 1;
export const KIND_IM2COL = 2;
export const KIND_IM2COL_TRANSPOSED = 3;

/** Depth (k) block: a packed 8-column B panel of this depth is 8 KiB and stays in L1. */
export const DEPTH_BLOCK = 256;

@inline
export function word(block: usize, index: i32): i32 {
  return load<i32>(block + (<usize>index << 2));
}

@inline
export function pointer(block: usize, index: i32): usize {
  return <usize>load<u32>(block + (<usize>index << 2));
}

@inline
export function real(block: usize, index: i32): f64 {
  return load<f64>(block + REALS_BYTES + (<usize>index << 3));
}

/** This thread's scratch: bytes [slot·SCRATCH_BYTES, (slot+1)·SCRATCH_BYTES) past SCRATCH. */
export function takeScratch(block: usize): usize {
  return pointer(block, SCRATCH) + <usize>currentThreadSlot() * <usize>word(block, SCRATCH_BYTES);
}
