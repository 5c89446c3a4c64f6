// Pooling to ONNX through the registry: a pooling layer, or one pooling op (what the benchmarks run
// in ONNX Runtime), exported by its kind's hook (KindDefinition.onnx) on a channels-first input.
import { fail } from '../../errors.js';
import type { SpatialDims } from '../../geometry/layout.js';
import type { OpOptions, PoolingKind } from '../../pooling/kind.js';
import type { Pooling } from '../../pooling/layer.js';
import { configToOptions } from '../../pooling/options.js';
import { findPoolingKind } from '../../pooling/registry.js';
import type { Shape } from '../../tensor/tensor.js';
import { encodeModel } from './encode.js';
import { concreteShape, refuseLayer, type ExportedOutput, type LayerExport } from './export-layers.js';
import { ONNX_FLOAT, ONNX_INT32, OnnxGraph } from './graph.js';
import type { OnnxExportCall, OnnxExportResult } from './kind-hook.js';
import { channelsFirstPerm, identity, transposeBetween } from './layout.js';

/** The kind's export hook, or the reason it has none (a sentence). */
function hookOf(kind: PoolingKind): ((call: OnnxExportCall) => OnnxExportResult) | string {
  const hook = kind.onnx?.export;
  if (hook === undefined) return `poolkit has no ONNX export for ${kind.docs.label.toLowerCase()}`;
  return typeof hook === 'function' ? hook : hook.refused;
}

/** Where a layer's channels are: its options' dataFormat (channelsLast when absent, as its layer's default). */
function isChannelsLast(options: OpOptions): boolean {
  return (options.dataFormat ?? 'channelsLast') === 'channelsLast';
}

/** A pooling layer: its kind's hook on the input in channels-first order. */
export function exportPoolingLayer(context: LayerExport): ExportedOutput {
  const layer = context.layer as Pooling;
  const hook = hookOf(layer.kind);
  if (typeof hook === 'string') refuseLayer(layer, hook);
  const input = context.inputs[0]!;
  const options = configToOptions(layer.kind.options, layer.config);
  const tensorRank = input.shape.length;
  const perm = isChannelsLast(options) ? channelsFirstPerm(tensorRank) : identity(tensorRank);
  const result = hook({
    graph: context.graph,
    owner: layer.name,
    rank: layer.spatialDims!,
    options,
    input: context.ordered(input, perm),
    inputShape: concreteShape(layer, input.shape),
    weights: layer.parameters.map((parameter) => parameter.tensor),
    indices: false,
    second: context.inputs[1] === undefined ? null : context.ordered(context.inputs[1], identity(2)),
  });
  return { name: result.output, perm: result.layout === 'spatial' ? perm : [0, 1] };
}

export interface PoolingOpSpec {
  /** A kind's name or alias ('max', 'avg', 'l2'), or the kind itself. */
  readonly kind: string | PoolingKind;
  readonly rank: SpatialDims;
  /** The op's options, as the op takes them (returnIndices adds an 'indices' output where the kind has one). */
  readonly options: Readonly<Record<string, unknown>>;
  /** The input's shape in the options' data format; the batch axis is dynamic in the model. */
  readonly inputShape: Shape;
}

/**
 * One pooling op as an ONNX model: input 'x' and output 'y' (and 'indices', int32, with
 * returnIndices) in the options' data format, computing what the op computes at inference.
 * @example poolingOpToOnnx({ kind: 'max', rank: 2, options: { kernelSize: 2 }, inputShape: [1, 8, 8, 3] })
 */
export function poolingOpToOnnx(spec: PoolingOpSpec): Uint8Array {
  const kind = typeof spec.kind === 'string' ? findPoolingKind(spec.kind) : spec.kind;
  if (kind === undefined) fail('poolingOpToOnnx', 'kind', 'must name a pooling kind', spec.kind);
  const op = kind.opName(spec.rank);
  const hook = hookOf(kind);
  if (typeof hook === 'string') fail('poolingOpToOnnx', 'kind', `cannot be exported to ONNX: ${hook}`, kind.name);
  if (spec.options.training === true) fail(op, 'training', 'must be false: ONNX models compute inference', true);
  if ((kind.tensorArguments ?? []).length > 0)
    fail(
      'poolingOpToOnnx',
      'kind',
      `takes tensors (${kind.tensorArguments!.join(', ')}): export a layer, which holds them`,
      kind.name,
    );
  const { returnIndices: _indices, ...options } = spec.options as OpOptions;
  const outputShape = kind.outputShape(op, spec.inputShape, options, spec.rank);
  const graph = new OnnxGraph();
  const dynamic = (shape: Shape) => ['batch', ...shape.slice(1)];
  const input = graph.input('x', ONNX_FLOAT, dynamic(spec.inputShape));
  const tensorRank = spec.inputShape.length;
  const perm = isChannelsLast(options) ? channelsFirstPerm(tensorRank) : identity(tensorRank);
  const channelsFirst = isChannelsLast(options) ? graph.apply('Transpose', [input], { perm }) : input;
  const result = hook({
    graph,
    owner: op,
    rank: spec.rank,
    options,
    input: channelsFirst,
    inputShape: [1, ...spec.inputShape.slice(1)],
    weights: [],
    indices: spec.options.returnIndices === true,
  });
  const restore = transposeBetween(perm, identity(tensorRank));
  const back = (name: string) =>
    result.layout === 'spatial' && isChannelsLast(options) ? graph.apply('Transpose', [name], { perm: restore }) : name;
  graph.output(
    graph.node('Identity', [back(result.output)], {}, { outputs: ['y'] })[0]!,
    ONNX_FLOAT,
    dynamic(outputShape),
  );
  if (spec.options.returnIndices === true) {
    if (result.indices === undefined) fail(op, 'returnIndices', 'has no ONNX counterpart for this kind', true);
    graph.output(
      graph.node('Identity', [back(result.indices)], {}, { outputs: ['indices'] })[0]!,
      ONNX_INT32,
      dynamic(outputShape),
    );
  }
  return encodeModel(graph, { name: op });
}
