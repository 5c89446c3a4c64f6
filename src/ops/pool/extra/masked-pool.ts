// maskedPool1d: max, average or Lp pooling over the time axis of padded sequences, where padded
// steps (beyond each example's length, or masked out) never count and get no gradient.
import { recordGrad } from '../../../autograd/tape.js';
import { fail } from '../../../errors.js';
import { extraKernel, type MaskedReduction } from '../../../kernels/reference/extra/index.js';
import { Tensor } from '../../../tensor/tensor.js';
import { checkOptions, checkTensor } from '../../checks.js';
import { zeroTensor } from './common.js';

export interface MaskedPoolOptions {
  /** 'max' (default), 'average' or 'lp'. */
  mode?: 'max' | 'average' | 'lp';
  /** The p of Lp pooling (default 2), at least 1. */
  p?: number;
  /** Valid steps per example (steps 0 .. length − 1); give this or `mask`. */
  lengths?: readonly number[] | Int32Array | Tensor;
  /** [batch, time] of 1 (a real step) and 0 (padding); any pattern, not only a prefix. */
  mask?: Tensor;
}

/** The mask as bytes [batch·time], from lengths or a 0/1 mask tensor. */
function resolveMask(op: string, options: MaskedPoolOptions, batch: number, time: number): Uint8Array {
  const { lengths, mask } = options;
  if ((lengths === undefined) === (mask === undefined))
    fail(op, 'lengths', 'or mask must be given (exactly one of them)', {
      lengths: lengths === undefined ? undefined : 'given',
      mask: mask === undefined ? undefined : 'given',
    });
  const bytes = new Uint8Array(batch * time);
  if (mask !== undefined) {
    if (!(mask instanceof Tensor) || mask.isDisposed) fail(op, 'mask', 'must be a live Tensor', typeof mask);
    if (mask.shape.join() !== [batch, time].join())
      fail(op, 'mask', `must have shape [${batch}, ${time}] (batch, time)`, `shape [${mask.shape.join(', ')}]`);
    const values = mask.dtype === 'int32' ? mask.intValues : mask.values;
    for (let index = 0; index < bytes.length; index++) {
      if (values[index] !== 0 && values[index] !== 1) fail(op, 'mask', 'must hold only 0 and 1', values[index]);
      bytes[index] = values[index]!;
    }
    return bytes;
  }
  const list =
    lengths instanceof Tensor
      ? Array.from(lengths.dtype === 'int32' ? lengths.intValues : lengths.values)
      : Array.from(lengths as ArrayLike<number>);
  if (list.length !== batch) fail(op, 'lengths', `must hold one length per example (${batch})`, list);
  list.forEach((length, sample) => {
    if (!Number.isInteger(length) || length < 0 || length > time)
      fail(op, 'lengths', `must be integers in [0, ${time}]`, list);
    bytes.fill(1, sample * time, sample * time + length);
  });
  return bytes;
}

function resolveReduction(op: string, options: MaskedPoolOptions): MaskedReduction {
  const mode = options.mode ?? 'max';
  if (mode === 'max' || mode === 'average') return { kind: mode };
  if (mode !== 'lp') fail(op, 'mode', "must be 'max', 'average' or 'lp'", mode);
  const p = options.p ?? 2;
  if (typeof p !== 'number' || !Number.isFinite(p) || p < 1) fail(op, 'p', 'must be a finite number of at least 1', p);
  return { kind: 'lp', p };
}

/**
 * Pools [batch, time, features] over time to [batch, features], counting only valid steps:
 * max (NaN propagates, first of ties), average (Σ x / valid count) or Lp ((Σ |x|^p)^(1/p)).
 * A sequence of length 0 outputs 0 for every feature and passes no gradient. Changing a padded
 * step changes nothing, and its gradient is 0. Lp's gradient is 0 where the output is 0.
 * @example maskedPool1d(x, { lengths: [3, 5], mode: 'average' })
 * @example maskedPool1d(x, { mask, mode: 'lp', p: 2 })
 */
export function maskedPool1d(input: Tensor, options: MaskedPoolOptions): Tensor {
  const op = 'maskedPool1d';
  checkTensor(op, 'input', input);
  const checked = checkOptions(op, options, true);
  if (input.rank !== 3)
    fail(op, 'input', 'must have rank 3 [batch, time, features]', `shape [${input.shape.join(', ')}]`);
  const [batch, time, features] = input.shape as [number, number, number];
  const mask = resolveMask(op, checked, batch, time);
  const reduction = resolveReduction(op, checked);
  const geometry = { batch, time, features };
  const output = Tensor.allocate([batch, features]);
  const argmax = reduction.kind === 'max' ? new Int32Array(batch * features) : null;
  extraKernel('maskedPoolForward')(input.values, mask, output.values, argmax, geometry, reduction);
  recordGrad(op, output, [input], (gradOutput) => {
    const gradInput = zeroTensor(input.shape);
    extraKernel('maskedPoolBackward')(
      input.values,
      mask,
      output.values,
      argmax,
      gradOutput.values,
      gradInput.values,
      geometry,
      reduction,
    );
    return [gradInput];
  });
  return output;
}
