// The attention pooling kernels' fields in the filters family's argument block
// (src/kernels/wasm/kinds/filters/attention.ts writes them): i32 words by index.
export const SAMPLES = 0;
export const CHANNELS = 1;
/** Spatial cells per sample. */
export const CELLS = 2;
export const CHANNELS_LAST = 3;
export const INPUT = 4;
export const QUERY_KERNEL = 5;
export const KEY_KERNEL = 6;
export const OUTPUT = 7;
export const GRAD_OUTPUT = 8;
export const GRAD_INPUT = 9;
export const GRAD_QUERY_KERNEL = 10;
export const GRAD_KEY_KERNEL = 11;
/** Per-sample results of the backward: 4·C f64 (mean, query, Σ ∂logit·x, ∂query). */
export const RESULTS = 13;
export const SCRATCH = 14;
export const SCRATCH_SLOT_BYTES = 15;
