// LSTM pooling's per-step gather of window cells into rows [windows, channels] and the scatter-add
// of those rows' gradients back to the cells (lstmGatherStep, lstmScatterStep of lstm-batched.ts).
// A unit is one window; offsets[window·taps + tap] is the cell's channel-0 element, −1 past its end.
import { CHANNELS, CHANNEL_STRIDE, OFFSETS, SOURCE, TAP, TAPS, TARGET, pointer, word } from './lstm-arguments';

/** Row `window` of step `tap`: the cell's channels, or zeros for a finished window. */
export function lstmGatherRows(block: usize, first: i32, end: i32): void {
  const channels = word(block, CHANNELS);
  const stride = <usize>word(block, CHANNEL_STRIDE) << 2;
  const taps = word(block, TAPS);
  const tap = word(block, TAP);
  const source = pointer(block, SOURCE);
  const offsets = pointer(block, OFFSETS);
  const target = pointer(block, TARGET);
  for (let window = first; window < end; window++) {
    const offset = load<i32>(offsets + ((<usize>window * <usize>taps + <usize>tap) << 2));
    const row = target + <usize>window * <usize>channels * 4;
    let channel = 0;
    if (offset < 0) {
      for (; channel + 4 <= channels; channel += 4) v128.store(row + (<usize>channel << 2), f32x4.splat(0));
      for (; channel < channels; channel++) store<f32>(row + (<usize>channel << 2), 0);
      continue;
    }
    const cell = source + (<usize>offset << 2);
    if (stride == 4) {
      for (; channel + 4 <= channels; channel += 4)
        v128.store(row + (<usize>channel << 2), v128.load(cell + (<usize>channel << 2)));
    }
    for (; channel < channels; channel++) store<f32>(row + (<usize>channel << 2), load<f32>(cell + <usize>channel * stride));
  }
}

/**
 * gradInput[cell] += row `window` of step `tap`, windows in order. Windows that share a cell at one
 * step (padding) would race, so the TypeScript side runs this on one thread.
 */
export function lstmScatterRows(block: usize, first: i32, end: i32): void {
  const channels = word(block, CHANNELS);
  const stride = <usize>word(block, CHANNEL_STRIDE) << 2;
  const taps = word(block, TAPS);
  const tap = word(block, TAP);
  const rows = pointer(block, SOURCE);
  const offsets = pointer(block, OFFSETS);
  const gradInput = pointer(block, TARGET);
  for (let window = first; window < end; window++) {
    const offset = load<i32>(offsets + ((<usize>window * <usize>taps + <usize>tap) << 2));
    if (offset < 0) continue;
    const row = rows + <usize>window * <usize>channels * 4;
    const cell = gradInput + (<usize>offset << 2);
    let channel = 0;
    if (stride == 4) {
      for (; channel + 4 <= channels; channel += 4) {
        const at = cell + (<usize>channel << 2);
        v128.store(at, f32x4.add(v128.load(at), v128.load(row + (<usize>channel << 2))));
      }
    }
    for (; channel < channels; channel++) {
      const at = cell + <usize>channel * stride;
      store<f32>(at, load<f32>(at) + load<f32>(row + (<usize>channel << 2)));
    }
  }
}
