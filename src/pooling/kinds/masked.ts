// maskedPool1d: max, average or Lp pooling over the time axis of padded sequences, where padded
// steps (beyond each example's length, or masked out) never count and get no gradient.
import { fail } from '../../errors.js';
import { kernel } from '../../kernels/backend.js';
import {
  maskedPoolBackward,
  maskedPoolForward,
  type MaskedReduction,
} from '../../kernels/reference/extra/masked-pool.js';
import { checkAnyTensor } from '../../ops/checks.js';
import { stepMask } from '../../ops/nn/sequence-mask.js';
import { reshape } from '../../ops/nn/shape.js';
import { Tensor, type Shape } from '../../tensor/tensor.js';
import { runPoolSteps } from '../compute.js';
import { type LayerCall, type LayerContext, type OpCall, type OpOptions } from '../kind.js';
import { standardKind } from '../kind-presets.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { scalar } from '../../formats/onnx/pool-nodes.js';

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
function resolveMask(op: string, options: OpOptions, batch: number, time: number): Uint8Array {
  const { lengths, mask } = options as MaskedPoolOptions;
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
  if (!(lengths instanceof Tensor) && !Array.isArray(lengths) && !(lengths instanceof Int32Array))
    fail(op, 'lengths', 'must be an array, an Int32Array or a Tensor of lengths', lengths);
  const list =
    lengths instanceof Tensor
      ? Array.from(checkAnyTensor(op, 'lengths', lengths).dtype === 'int32' ? lengths.intValues : lengths.values)
      : Array.from(lengths as ArrayLike<number>);
  if (list.length !== batch) fail(op, 'lengths', `must hold one length per example (${batch})`, list);
  list.forEach((length, sample) => {
    if (!Number.isInteger(length) || length < 0 || length > time)
      fail(op, 'lengths', `must be integers in [0, ${time}]`, list);
    bytes.fill(1, sample * time, sample * time + length);
  });
  return bytes;
}

function resolveReduction(op: string, options: OpOptions): MaskedReduction {
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
function maskedShape(op: string, inputShape: Shape): [number, number, number] {
  if (inputShape.length !== 3)
    fail(op, 'input', 'must have rank 3 [batch, time, features]', `shape [${inputShape.join(', ')}]`);
  return inputShape as unknown as [number, number, number];
}

function computeMaskedPool({ op, input, options }: OpCall): Tensor {
  const [batch, time, features] = maskedShape(op, input.shape);
  const mask = resolveMask(op, options, batch, time);
  const reduction = resolveReduction(op, options);
  const geometry = { batch, time, features };
  const argmax = reduction.kind === 'max' ? new Int32Array(batch * features) : null;
  return runPoolSteps(op, [input], [batch, features], {
    zeroGradients: true,
    forward: ({ inputs: [x], output }) =>
      kernel('maskedPoolForward')(x!.values, mask, output.values, argmax, geometry, reduction),
    backward: ({ inputs: [x], output, gradOutput, gradInputs: [gradInput] }) =>
      kernel('maskedPoolBackward')(
        x!.values,
        mask,
        output.values,
        argmax,
        gradOutput.values,
        gradInput!.values,
        geometry,
        reduction,
      ),
  }).output;
}

/**
 * Inside a model there is no separate mask input, so a layer takes the mask an earlier layer
 * produced (Embedding with maskZero, Masking), or else recognises padding as Keras's Masking layer
 * does: a step whose features all equal `maskValue`. An all-padding sequence outputs 0.
 */
function maskedCallArguments(context: LayerContext, input: Tensor, weights: readonly Tensor[], call: LayerCall) {
  const { maskValue = 0, ...options } = context.options;
  const mask = call.mask ?? stepMask(input, maskValue as number);
  return { tensors: weights, options: { ...options, mask }, temporary: call.mask ? null : mask };
}

/**
 * The layer's own mask (a step whose features all equal maskValue is padding) and its reduction over
 * the valid steps, on [batch, features, time]; a sequence without a valid step gives 0, as the layer.
 */
function exportMaskedPool(call: OnnxExportCall) {
  const { graph, owner } = call;
  const reduction = resolveReduction(owner, call.options);
  const [features, time] = [graph.int64s(`${owner}/features`, [1]), graph.int64s(`${owner}/time`, [2])];
  const zero = scalar(call, 'zero', 0);
  const equal = graph.apply(
    'Equal',
    [call.input, scalar(call, 'mask_value', (call.options.maskValue ?? 0) as number)],
    {},
    owner,
  );
  const padding = graph.apply(
    'ReduceMin',
    [graph.apply('Cast', [equal], { to: 1 }, owner), features],
    { keepdims: 1 },
    owner,
  );
  const valid = graph.apply('Equal', [padding, zero], {}, owner);
  const count = graph.apply(
    'ReduceSum',
    [graph.apply('Cast', [valid], { to: 1 }, owner), time],
    { keepdims: 0 },
    owner,
  );
  const masked = (fill: number, value: string) =>
    graph.apply('Where', [valid, value, scalar(call, 'fill', fill)], {}, owner);
  let pooled: string;
  if (reduction.kind === 'max')
    pooled = graph.apply('ReduceMax', [masked(-Infinity, call.input), time], { keepdims: 0 }, owner);
  else if (reduction.kind === 'average') {
    const sum = graph.apply('ReduceSum', [masked(0, call.input), time], { keepdims: 0 }, owner);
    pooled = graph.apply('Div', [sum, graph.apply('Max', [count, scalar(call, 'one', 1)], {}, owner)], {}, owner);
  } else {
    const powered = graph.apply(
      'Pow',
      [graph.apply('Abs', [call.input], {}, owner), scalar(call, 'p', reduction.p)],
      {},
      owner,
    );
    const sum = graph.apply('ReduceSum', [masked(0, powered), time], { keepdims: 0 }, owner);
    pooled = graph.apply('Pow', [sum, scalar(call, 'root', 1 / reduction.p)], {}, owner);
  }
  const empty = graph.apply('Equal', [count, zero], {}, owner);
  return { output: graph.apply('Where', [empty, zero, pooled], {}, owner), layout: 'flat' as const };
}

export const maskedKind = standardKind({
  names: ['masked', 'maskedSequence'],
  window: 'sequence',
  ranks: [1],
  op: 'maskedPool{rank}d',
  options: [
    {
      name: 'mode',
      default: 'max',
      inConfig: 'always',
      doc: "'max', 'average' or 'lp' over the valid steps.",
      field: { type: 'select', choices: ['max', 'average', 'lp'], demo: 'max' },
    },
    {
      name: 'p',
      default: 2,
      inConfig: 'always',
      doc: "Lp's power, at least 1.",
      field: { type: 'number', min: 1, step: 0.5, demo: 2 },
    },
    {
      name: 'lengths',
      configName: null,
      doc: 'Valid steps per example (steps 0 .. length − 1); give this or `mask`. Examples take one number for every row.',
      field: { type: 'number', min: 0, step: 1, demo: 4 },
    },
    {
      name: 'mask',
      configName: null,
      doc: '[batch, time] of 1 (a real step) and 0 (padding); any pattern, not only a prefix.',
    },
    {
      name: 'maskValue',
      layerOnly: true,
      default: 0,
      inConfig: 'always',
      doc: "Layers: a step whose every feature equals this value is padding (Keras's Masking convention).",
    },
  ],
  docs: {
    label: 'Masked sequence pooling',
    summary: 'Pools each sequence over time, counting only its valid steps: padding never counts.',
    formula: 'y[b, f] = max, mean or Lp norm of x[b, t, f] over the valid steps t',
    gradient: 'As max, average or Lp pooling over the valid steps; padded steps get 0.',
    source: "Text pooling over padded sequences (Keras's masking with global pooling)",
  },
  kernels: { maskedPoolForward, maskedPoolBackward },
  outputShape: (op, shape) => {
    const [batch, , features] = maskedShape(op, shape);
    return [batch, features];
  },
  compute: computeMaskedPool,
  example: (image, options) => {
    // The image's rows are the sequences, each of its columns a step of one feature.
    const [, rows = 1, columns = 1] = image.shape;
    const length = typeof options.lengths === 'number' ? options.lengths : columns;
    const input = reshape(image, [rows, columns, 1]); // the op: the gradient reaches the image
    return { input, tensors: [], options: { ...options, lengths: Array<number>(rows).fill(length) }, rank: 1 };
  },
  layer: { seedConfig: null, callArguments: maskedCallArguments },
  onnx: { export: exportMaskedPool },
});

/**
 * Pools [batch, time, features] over time to [batch, features], counting only valid steps:
 * max (NaN propagates, first of ties), average (Σ x / valid count) or Lp ((Σ |x|^p)^(1/p)).
 * A sequence of length 0 outputs 0 for every feature and passes no gradient. Changing a padded
 * step changes nothing, and its gradient is 0. Lp's gradient is 0 where the output is 0.
 * @example maskedPool1d(x, { lengths: [3, 5], mode: 'average' })
 * @example maskedPool1d(x, { mask, mode: 'lp', p: 2 })
 */
export function maskedPool1d(input: Tensor, options: MaskedPoolOptions): Tensor {
  return maskedKind.apply(input, [], options, 1);
}
