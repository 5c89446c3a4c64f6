// The argument block of the LSTM pooling kernels (lstm-cell.ts, lstm-steps.ts): i32 words by index,
// written by src/kernels/wasm/kinds/regions-lstm.ts in this order.

// lstmCellForwardRows / lstmCellBackwardRows / lstmBiasColumns
export const GATES = 0;
export const BIAS = 1;
export const COUNTS = 2;
export const STEP = 3;
export const HIDDEN = 4;
export const CELLS = 5;
export const NEXT_CELLS = 6;
export const HIDDENS = 7;
export const NEXT_HIDDENS = 8;
export const GRAD_HIDDEN = 9;
export const GRAD_CELL = 10;
export const GRAD_GATES = 11;
export const CARRY = 12;
export const WINDOWS = 13;

// lstmGatherRows / lstmScatterRows
export const SOURCE = 0;
export const OFFSETS = 1;
export const TAP = 2;
export const TAPS = 3;
export const CHANNELS = 4;
export const CHANNEL_STRIDE = 5;
export const TARGET = 6;

export { pointer, word } from '../../pool/arguments';
