// Covariance pooling's per-sample state (covariance.ts, covariance-centre.ts): the argument block's
// fields, the sample's sizes and the places of its scratch or kept matrices, as per-instance (so
// per-thread) globals that beginSample and placeInRoom set.
import { currentThreadSlot } from '../../shared/thread-slot';
import { pointer, word } from './arguments';

// Fields (src/kernels/wasm/kinds/filters/covariance.ts writes them).
export const SAMPLES = 0;
export const CHANNELS = 1;
export const CELLS = 2;
export const CHANNELS_LAST = 3;
export const ITERATIONS = 4;
export const INPUT = 5;
export const OUTPUT = 6;
export const GRAD_OUTPUT = 7;
export const GRAD_INPUT = 8;
/** The forward-keep room (0: none): per sample the kept matrices, Y_0..Y_N, Z_0..Z_N, P_0..P_N and Σ. */
export const KEPT = 9;
/** One i32 flag per sample. */
export const FLAGS = 13;
export const SCRATCH = 14;
export const SCRATCH_SLOT_BYTES = 15;

/**
 * Up to this many iterations the forward's products and the backward run in symmetric form (upper
 * triangles, covariance.ts square and covariance-backward.ts); past it whole, as the reference's
 * rules read. The symmetric form's error grows faster with N where Σ is rank-deficient (fewer cells
 * than channels): in an f32 model of both (numpy, against f64; Y_N and ∂L/∂x), its worst error was
 * 0.9–1.3× the whole form's at N = 1 to 8, but 3× (Y_N) and 2× (∂L/∂x) at 10, 200× and 10× at 12.
 */
export const SYMMETRIC_ITERATIONS = 8;

// The sample's sizes and scratch matrices (per instance globals, so per thread).
export let channels: i32 = 0;
/** Row stride of every C-wide matrix: C rounded up to 4 (the padding columns stay 0). */
export let stride: i32 = 0;
export let cells: i32 = 0;
export let iterations: i32 = 0;
/** The centred cells [n, stride], then the gradient rows [n, stride]. */
export let centred: usize = 0;
export let cellRows: usize = 0;
/**
 * Y_0..Y_N, Z_0..Z_N, P_0..P_N (P_0 unused) and Σ: the sample's block of the forward-keep room when
 * there is one (written there by the forward, read there by the backward: no copies), else scratch.
 */
export let matrices: usize = 0;
/** The backward's seven C×stride temporaries 1..7 (scratch, after the place of a scratch `matrices`). */
export let temporaries: usize = 0;
export let matrixBytes: usize = 0;
/** Element steps between a sample's cells and between its channels (the input's layout). */
export let cellStep: usize = 0;
export let channelStep: usize = 0;

/** Byte offset of (cell, channel) in a sample of the input's layout. */
@inline export function elementOffset(cell: i32, channel: i32): usize {
  return (<usize>cell * cellStep + <usize>channel * channelStep) << 2;
}

@inline export function matrix(index: i32): usize {
  return matrices + <usize>index * matrixBytes;
}
@inline export function ys(step: i32): usize {
  return matrix(step);
}
@inline export function zs(step: i32): usize {
  return matrix(iterations + 1 + step);
}
@inline export function ps(step: i32): usize {
  return matrix(2 * iterations + 2 + step);
}
/** Σ·n (kept with the iterations' matrices). */
@inline export function sigmaMatrix(): usize {
  return matrix(3 * iterations + 3);
}
/** The backward's temporaries 1..7. */
@inline export function temporary(index: i32): usize {
  return temporaries + <usize>index * matrixBytes;
}
@inline export function at(base: usize, row: i32, column: i32): usize {
  return base + ((<usize>row * <usize>stride + <usize>column) << 2);
}

/** The sample's sizes and this thread's scratch layout (the TypeScript side sizes the slot alike). */
export function beginSample(block: usize): void {
  channels = word(block, CHANNELS);
  stride = (channels + 3) & ~3;
  cells = word(block, CELLS);
  iterations = word(block, ITERATIONS);
  const channelsLast = word(block, CHANNELS_LAST) != 0;
  cellStep = channelsLast ? <usize>channels : 1;
  channelStep = channelsLast ? 1 : <usize>cells;
  const slot = pointer(block, SCRATCH) + <usize>currentThreadSlot() * <usize>word(block, SCRATCH_SLOT_BYTES);
  const rowsBytes = (<usize>cells * <usize>stride) << 2;
  centred = slot;
  cellRows = centred + rowsBytes;
  matrices = cellRows + rowsBytes;
  matrixBytes = (<usize>channels * <usize>stride) << 2;
  temporaries = matrices + <usize>(3 * iterations + 3) * matrixBytes;
}

/**
 * Bytes a sample keeps, one block from `matrices` on: Y_0..Y_N, Z_0..Z_N, P_0..P_N and Σ, then the
 * centred cells [n, stride], then its flag (one i32, padded to 16 bytes). src/kernels/reference/
 * extra/covariance-pool.ts's covarianceKeptLength sizes the room alike.
 */
@inline export function keptBytes(): usize {
  return <usize>(3 * iterations + 4) * matrixBytes + ((<usize>cells * <usize>stride) << 2) + 16;
}

/** With a forward-keep room: the sample's matrices and centred cells live in its block there; returns its flag's address. */
export function placeInRoom(kept: usize, sample: i32): usize {
  matrices = kept + <usize>sample * keptBytes();
  centred = matrices + <usize>(3 * iterations + 4) * matrixBytes;
  return centred + ((<usize>cells * <usize>stride) << 2);
}
