// Attention pooling, SimPool-style (Psomas et al., "Keep It SimPool: Who Said Supervised Transformers
// Suffer from Attention Deficit?", ICCV 2023): one learnable query attends over all positions.
//
// Per sample, with x_s the channel vector of spatial cell s (n cells, C channels):
//   q = mean_s(x_s)·W_q,  k_s = x_s·W_k,  a = softmax_s(k_s·q / √C),  y = Σ_s a_s·x_s   → [batch, C].
// The query starts from the global average, as SimPool's does: W_q and W_k are learnable [C, C]
// kernels, initialised to the identity, so an untrained layer's query is exactly the mean. One head;
// the values are the cells themselves. Left out of SimPool: its LayerNorms and its power γ on the
// values (here γ = 1, the plain attention-weighted average). The softmax subtracts the largest logit
// first. NaN or ±Infinity in a sample reaches its mean, so its query and its logits: its output is NaN
// (other samples are untouched). Gradients reach the input (through values, keys and the mean) and
// both kernels.
// Output [batch, C], like global pooling, so it fits the seed CNN's Conv→POOL→Flatten→Dense.
import type { DataFormat, SpatialDims } from '../../geometry/layout.js';
import { kernel } from '../../kernels/backend.js';
import { attentionPoolBackward, attentionPoolForward } from '../../kernels/reference/extra/attention-pool.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkParameterShape, layerChannels } from '../arguments.js';
import { dataFormatOption } from '../common-options.js';
import { runPoolSteps } from '../compute.js';
import { globalRank, globalSetUp } from '../global-steps.js';
import { type LayerWeights, type OpCall } from '../kind.js';
import { standardKind } from '../kind-presets.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { planesAsRows, scalar } from '../../formats/onnx/pool-nodes.js';

export interface AttentionPoolOptions {
  dataFormat?: DataFormat;
}

function computeAttentionPool({ op, input, tensors, options }: OpCall): Tensor {
  const { geometry } = globalSetUp(op, input.shape, { dataFormat: options.dataFormat });
  const square = [[geometry.channels, geometry.channels]];
  checkParameterShape(op, 'queryKernel', tensors[0], square);
  checkParameterShape(op, 'keyKernel', tensors[1], square);
  const [query, key] = [tensors[0]!, tensors[1]!];
  return runPoolSteps(op, [input, query, key], [geometry.batch, geometry.channels], {
    zeroGradients: true,
    bindsResident: true,
    forward: ({ output }) =>
      kernel('attentionPoolForward')(
        input.kernelValues,
        query.kernelValues,
        key.kernelValues,
        output.kernelValues,
        geometry,
      ),
    backward: ({ gradOutput, gradInputs: [gradInput, gradQuery, gradKey] }) =>
      kernel('attentionPoolBackward')(
        input.kernelValues,
        query.kernelValues,
        key.kernelValues,
        gradOutput.kernelValues,
        gradInput!.kernelValues,
        gradQuery!.kernelValues,
        gradKey!.kernelValues,
        geometry,
      ),
  }).output;
}

/** The identity [C, C]: the starting W_q (query = global average) and W_k (keys = the cells). */
function identity(size: number): Tensor {
  const matrix = Tensor.allocate([size, size]);
  matrix.values.fill(0);
  for (let index = 0; index < size; index++) matrix.values[index * size + index] = 1;
  return matrix;
}

const attentionWeights: LayerWeights = {
  shapes: (context) => {
    const channels = layerChannels(context);
    return [
      { name: 'query_kernel', shape: [channels, channels] },
      { name: 'key_kernel', shape: [channels, channels] },
    ];
  },
  initialize: (context) => [identity(layerChannels(context)), identity(layerChannels(context))],
};

/**
 * X = [batch, C, n]: q = ReduceMean(X)·W_q, k = Xᵀ·W_k, a = Softmax over the cells of k·q/√C,
 * y = X·a, flattened to [batch, C] (the same order in either data format).
 */
function exportAttentionPool(call: OnnxExportCall) {
  const { graph, owner } = call;
  const apply = (opType: string, inputs: string[], attributes = {}) => graph.apply(opType, inputs, attributes, owner);
  const { rows, channels } = planesAsRows(call);
  const kernels = call.weights.map((weight, index) =>
    graph.floats(`${owner}/${index === 0 ? 'query' : 'key'}_kernel`, weight.values, [channels, channels]),
  );
  const lastAxis = graph.int64s(`${owner}/cells_axis`, [2]);
  const mean = apply('ReduceMean', [rows, lastAxis], { keepdims: 0 });
  const query = apply('Unsqueeze', [apply('MatMul', [mean, kernels[0]!]), lastAxis]);
  const keys = apply('MatMul', [apply('Transpose', [rows], { perm: [0, 2, 1] }), kernels[1]!]);
  const logits = apply('Mul', [apply('MatMul', [keys, query]), scalar(call, 'scale', 1 / Math.sqrt(channels))]);
  const attention = apply('Softmax', [logits], { axis: 1 });
  return { output: apply('Flatten', [apply('MatMul', [rows, attention])], { axis: 1 }), layout: 'flat' as const };
}

export const attentionKind = standardKind({
  names: ['attention', 'simPool'],
  window: 'global',
  op: 'attentionPool',
  tensorArguments: ['queryKernel', 'keyKernel'],
  // The wasm kernel regroups two f64 sums (k·q = x·(W_k·q), ∂q = (Σ ∂logit·x)·W_k) and uses its own
  // exp: ~1e-15 relative in f64, so the f32 results differ by a rounding flip (2^-23) at most, plus
  // f64 noise under 1e-9 absolute where terms of up to 1e4 cancel.
  tolerance: { relative: 1e-6, absolute: 1e-9 },
  options: [dataFormatOption],
  docs: {
    label: 'Attention pooling (SimPool)',
    summary: 'One query, the global average through a learnable W_q, attends over all positions; a weighted average.',
    formula: 'q = mean(x)·W_q, k_s = x_s·W_k, a = softmax(k·q/√C), y = Σ_s a_s·x_s',
    gradient: 'To the input through values, keys and the mean; to W_q and W_k through the attention logits.',
    source: 'Psomas et al., "Keep It SimPool", ICCV 2023 (single head, γ = 1)',
  },
  kernels: { attentionPoolForward, attentionPoolBackward },
  outputShape: (op, shape, options) => {
    const { geometry } = globalSetUp(op, shape, { dataFormat: options.dataFormat });
    return [geometry.batch, geometry.channels];
  },
  compute: computeAttentionPool,
  layer: { weights: attentionWeights },
  onnx: { export: exportAttentionPool },
});

/**
 * Attention pooling of [batch, ...spatial, channels] (or channelsFirst) to [batch, channels], with the
 * query and key kernels [channels, channels].
 * @example attentionPool(x, eye, eye) // identity kernels: the query is the global average
 */
export function attentionPool(
  input: Tensor,
  queryKernel: Tensor,
  keyKernel: Tensor,
  options?: AttentionPoolOptions,
): Tensor {
  return attentionKind.apply(input, [queryKernel, keyKernel], options, globalRank(input) as SpatialDims);
}
