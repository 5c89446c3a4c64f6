// poolkit's layers → ONNX nodes (inference): convolutions, Dense, BatchNormalization, Flatten,
// Reshape, Dropout, activations, Embedding, UpSampling2D and the merges; pooling layers go through
// their kind's export hook (export-pooling.ts). Weights are written in ONNX's layouts.
import { fail } from '../../errors.js';
import type { SpatialDims } from '../../geometry/layout.js';
import { poolGeometry } from '../../geometry/pool-geometry.js';
import type { ActivationName } from '../../nn/activation-names.js';
import type { Layer, LayerShape } from '../../nn/layer.js';
import type { BatchNormalization } from '../../nn/layers/batch-normalization.js';
import type { Convolution } from '../../nn/layers/convolution.js';
import type { Dense } from '../../nn/layers/dense.js';
import type { Dropout } from '../../nn/layers/dropout.js';
import type { Embedding } from '../../nn/layers/embedding.js';
import type { Concatenate } from '../../nn/layers/merge.js';
import type { Reshape } from '../../nn/layers/reshape.js';
import type { UpSampling2D } from '../../nn/layers/up-sampling.js';
import { float, ONNX_INT64, type OnnxGraph } from './graph.js';
import { channelsFirstPerm, identity, transposeValues } from './layout.js';
import { windowAxes } from './pool-window.js';

/** A value in the graph: its name, its axis order relative to poolkit's tensor, and poolkit's shape. */
export interface ExportValue {
  readonly name: string;
  readonly perm: readonly number[];
  readonly shape: LayerShape;
}

/** What a layer's exporter is given. */
export interface LayerExport {
  readonly graph: OnnxGraph;
  readonly layer: Layer;
  readonly inputs: readonly ExportValue[];
  /** The name of `value` in order `perm`, with a Transpose added where its order differs. */
  ordered(value: ExportValue, perm: readonly number[]): string;
}

/** A layer's output: its name and order (the exporter adds the shape). */
export interface ExportedOutput {
  readonly name: string;
  readonly perm: readonly number[];
}

export type LayerExporter = (context: LayerExport) => ExportedOutput;

/** Throws the error of a layer poolkit cannot write in ONNX, naming it. */
export function refuseLayer(layer: Layer, reason: string): never {
  fail(
    'modelToOnnx',
    `layer '${layer.name}' (${layer.className})`,
    `cannot be exported to ONNX: ${reason}`,
    layer.className,
  );
}

/** The input shape with batch 1, every other extent known (ONNX's pads are written for fixed sizes). */
export function concreteShape(layer: Layer, shape: LayerShape): number[] {
  if (shape.slice(1).some((extent) => extent === null))
    refuseLayer(layer, `its input shape [${shape.map(String).join(', ')}] has unknown extents besides the batch`);
  return [1, ...(shape.slice(1) as number[])];
}

/** The activation after a layer's main node; softmax runs along poolkit's last axis, wherever it is. */
export function withActivation(
  context: LayerExport,
  value: ExportedOutput,
  activation: ActivationName,
): ExportedOutput {
  const { graph, layer } = context;
  if (activation === 'linear') return value;
  if (activation === 'softmax') {
    const axis = value.perm.indexOf(value.perm.length - 1);
    return { name: graph.apply('Softmax', [value.name], { axis }, layer.name), perm: value.perm };
  }
  const opType = { relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh' }[activation];
  return { name: graph.apply(opType, [value.name], {}, layer.name), perm: value.perm };
}

/** [begin..., end...] pads of a convolution, from poolGeometry (Conv1D's causal: all before). */
function convolutionPads(layer: Convolution, shape: number[], rank: SpatialDims): number[] {
  if (layer.padding === 'causal') return [(layer.kernelSize[0]! - 1) * layer.dilationRate[0]!, 0];
  const options = {
    kernelSize: layer.kernelSize,
    stride: layer.strides,
    dilation: layer.dilationRate,
    padding: layer.padding,
    dataFormat: layer.dataFormat,
  };
  const axes = windowAxes(poolGeometry(layer.name, shape, rank, options), rank);
  return [...axes.padBegin, ...axes.padEnd];
}

/** Conv1D/2D/3D: Keras's kernel [...k, in, out] as ONNX's [out, in, ...k]. */
function convolution(context: LayerExport): ExportedOutput {
  const { graph } = context;
  const layer = context.layer as Convolution;
  const rank = layer.kernelSize.length as SpatialDims;
  const input = context.inputs[0]!;
  const perm = layer.dataFormat === 'channelsLast' ? channelsFirstPerm(rank + 2) : identity(rank + 2);
  const [kernel, bias] = layer.parameters.map((parameter) => parameter.tensor);
  const toOnnx = [rank + 1, rank, ...identity(rank)];
  const weights = [
    graph.floats(
      `${layer.name}/kernel`,
      transposeValues(kernel!.values, kernel!.shape, toOnnx),
      toOnnx.map((axis) => kernel!.shape[axis]!),
    ),
    ...(bias === undefined ? [] : [graph.floats(`${layer.name}/bias`, bias.values, bias.shape)]),
  ];
  const attributes = {
    kernel_shape: [...layer.kernelSize],
    strides: [...layer.strides],
    dilations: [...layer.dilationRate],
    pads: convolutionPads(layer, concreteShape(layer, input.shape), rank),
  };
  const name = graph.apply('Conv', [context.ordered(input, perm), ...weights], attributes, layer.name);
  return withActivation(context, { name, perm }, layer.activation);
}

/** Dense: Gemm on [batch, features], MatMul and Add on longer shapes (over the last axis). */
function dense(context: LayerExport): ExportedOutput {
  const { graph } = context;
  const layer = context.layer as Dense;
  const input = context.inputs[0]!;
  const rank = input.shape.length;
  const [kernel, bias] = layer.parameters.map((parameter) => parameter.tensor);
  const weight = graph.floats(`${layer.name}/kernel`, kernel!.values, kernel!.shape);
  const biasName = bias === undefined ? [] : [graph.floats(`${layer.name}/bias`, bias.values, bias.shape)];
  const x = context.ordered(input, identity(rank));
  let name: string;
  if (rank === 2) name = graph.apply('Gemm', [x, weight, ...biasName], {}, layer.name);
  else {
    name = graph.apply('MatMul', [x, weight], {}, layer.name);
    if (biasName.length > 0) name = graph.apply('Add', [name, biasName[0]!], {}, layer.name);
  }
  return withActivation(context, { name, perm: identity(rank) }, layer.activation);
}

/** BatchNormalization normalises ONNX's axis 1: the value is ordered with the layer's axis there. */
function batchNormalization(context: LayerExport): ExportedOutput {
  const { graph } = context;
  const layer = context.layer as BatchNormalization;
  const input = context.inputs[0]!;
  const rank = input.shape.length;
  const axis = layer.axis < 0 ? rank + layer.axis : layer.axis;
  const perm =
    input.perm[1] === axis ? input.perm : [0, axis, ...identity(rank).filter((item) => item !== 0 && item !== axis)];
  const find = (name: string) => layer.parameters.find((parameter) => parameter.name === name)?.tensor;
  const mean = find('moving_mean')!;
  const constant = (name: string, fallback: number) => {
    const tensor = find(name);
    const values = tensor === undefined ? new Float32Array(mean.size).fill(fallback) : tensor.values;
    return graph.floats(`${layer.name}/${name}`, values, [mean.size]);
  };
  const inputs = [
    context.ordered(input, perm),
    constant('gamma', 1),
    constant('beta', 0),
    constant('moving_mean', 0),
    constant('moving_variance', 1),
  ];
  return { name: graph.apply('BatchNormalization', inputs, { epsilon: float(layer.epsilon) }, layer.name), perm };
}

function flatten(context: LayerExport): ExportedOutput {
  const input = context.inputs[0]!;
  const x = context.ordered(input, identity(input.shape.length));
  return { name: context.graph.apply('Flatten', [x], { axis: 1 }, context.layer.name), perm: [0, 1] };
}

function reshape(context: LayerExport): ExportedOutput {
  const { graph } = context;
  const layer = context.layer as Reshape;
  const input = context.inputs[0]!;
  const shape = graph.int64s(`${layer.name}/shape`, [0, ...layer.targetShape]);
  const name = graph.apply('Reshape', [context.ordered(input, identity(input.shape.length)), shape], {}, layer.name);
  return { name, perm: identity(layer.targetShape.length + 1) };
}

/** Dropout is the identity at inference; the node is kept so the graph says where it was. */
function dropout(context: LayerExport): ExportedOutput {
  const layer = context.layer as Dropout;
  const input = context.inputs[0]!;
  const ratio = context.graph.floats(`${layer.name}/ratio`, [layer.rate], []);
  return { name: context.graph.apply('Dropout', [input.name, ratio], {}, layer.name), perm: input.perm };
}

function activation(context: LayerExport): ExportedOutput {
  const input = context.inputs[0]!;
  const layer = context.layer as Layer & { activation: ActivationName };
  return withActivation(context, { name: input.name, perm: input.perm }, layer.activation);
}

/** Embedding: indices (float or int) cast to int64, then Gather from the table. */
function embedding(context: LayerExport): ExportedOutput {
  const { graph } = context;
  const layer = context.layer as Embedding;
  if (layer.maskZero) refuseLayer(layer, 'maskZero makes a mask of padded steps, which an ONNX graph does not carry');
  const input = context.inputs[0]!;
  const table = layer.parameters[0]!.tensor;
  const indices = graph.apply(
    'Cast',
    [context.ordered(input, identity(input.shape.length))],
    { to: ONNX_INT64 },
    layer.name,
  );
  const name = graph.apply(
    'Gather',
    [graph.floats(`${layer.name}/embeddings`, table.values, table.shape), indices],
    {},
    layer.name,
  );
  return { name, perm: identity(input.shape.length + 1) };
}

/** UpSampling2D as Resize, TensorFlow's coordinates (asymmetric: no aligned corners, no half-pixel centres). */
function upSampling(context: LayerExport): ExportedOutput {
  const { graph } = context;
  const layer = context.layer as UpSampling2D;
  const perm = layer.dataFormat === 'channelsLast' ? channelsFirstPerm(4) : identity(4);
  const scales = graph.floats(`${layer.name}/scales`, [1, 1, ...layer.size], [4]);
  const attributes: Record<string, string> =
    layer.interpolation === 'nearest'
      ? { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }
      : { mode: 'linear', coordinate_transformation_mode: 'asymmetric' };
  const name = graph.apply('Resize', [context.ordered(context.inputs[0]!, perm), '', scales], attributes, layer.name);
  return { name, perm };
}

function add(context: LayerExport): ExportedOutput {
  const [first, ...rest] = context.inputs;
  let name = first!.name;
  for (const value of rest)
    name = context.graph.apply('Add', [name, context.ordered(value, first!.perm)], {}, context.layer.name);
  return { name, perm: first!.perm };
}

function concatenate(context: LayerExport): ExportedOutput {
  const layer = context.layer as Concatenate;
  const first = context.inputs[0]!;
  const rank = first.shape.length;
  const axis = first.perm.indexOf(layer.axis < 0 ? rank + layer.axis : layer.axis);
  const names = context.inputs.map((value) => context.ordered(value, first.perm));
  return { name: context.graph.apply('Concat', names, { axis }, layer.name), perm: first.perm };
}

function masking(context: LayerExport): ExportedOutput {
  return refuseLayer(context.layer, 'it makes a mask of padded steps, which an ONNX graph does not carry');
}

/** The exporters of poolkit's non-pooling layers, by class name. */
export const layerExporters: Readonly<Record<string, LayerExporter>> = Object.freeze({
  Conv1D: convolution,
  Conv2D: convolution,
  Conv3D: convolution,
  Dense: dense,
  BatchNormalization: batchNormalization,
  Flatten: flatten,
  Reshape: reshape,
  Dropout: dropout,
  Activation: activation,
  Embedding: embedding,
  UpSampling2D: upSampling,
  Add: add,
  Concatenate: concatenate,
  Masking: masking,
});
