// The argument block of the filters family (src/kernels/wasm/kinds/filters.ts writes it): i32 words
// by index, f64 fields by byte offset. Every call rewrites it (ops run one at a time).

/** Samples of the walk: the batch (channelsLast), or batch·channels planes (channelsFirst, 1 channel). */
export const SAMPLES = 0;
/** Channels per spatial cell: contiguous in memory (1 for channelsFirst planes). */
export const CHANNELS = 1;
/** IN_SIZE + axis, OUT_SIZE + axis, TAPS + axis: axis 0 depth, 1 height, 2 width. */
export const IN_SIZE = 2;
export const OUT_SIZE = 5;
export const TAPS = 8;
/** What a kernel reads (input, or gradOutput) and writes (output, or gradInput). */
export const SOURCE = 11;
export const TARGET = 12;
/** Per-axis source tables, one after another: entry o·taps + t, the input position read, −1 a zero. */
export const TABLES = 13;
/** Per-thread scratch: pointer and bytes per thread slot. */
export const SCRATCH = 14;
export const SCRATCH_SLOT_BYTES = 15;
/** BlurPool's backward: 1 where each thread's scratch holds a sample's f64 output gradient after its lists (blur-gather.ts). */
export const SAMPLE_CACHE = 16;
/** BlurPool's backward: per axis, the pointer to its inverse table (blur-gather.ts). */
export const INVERSE = 17;
/** BlurPool's backward: bytes of one of a thread's gather lists. */
export const LIST_BYTES = 20;
/** BlurPool's backward: per axis, the pattern map's pointer, and how many patterns it names (blur-gather.ts). */
export const MAPS = 23;
export const PATTERNS = 26;
/** Byte offset of the per-axis filters: 3 × 8 f64 (axis · 64 + tap · 8). */
export const FILTERS_BYTES = 128;

// Word and pointer reads are assembly/pool's (the same block conventions).
export { pointer, word } from '../../pool/arguments';
