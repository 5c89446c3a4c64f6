// ONNX's weight-bearing operators → poolkit layers: Conv → Conv1D/2D/3D, Gemm and MatMul → Dense,
// and an Add of a constant after one of them folded in as its bias (import-ops.ts has the rest).
import type { SpatialDims } from '../../geometry/layout.js';
import type { ConfigValue } from '../../nn/layer.js';
import type { DecodedNode, DecodedTensor } from './decode.js';
import type { ImportedLayer, ImportState } from './import-state.js';
import { identity, isIdentity, transposeValues } from './layout.js';
import { nodeView } from './node-view.js';
import { windowImport } from './pool-import.js';

/** Conv → Conv1D/2D/3D: ONNX's weights [out, in, ...k] as Keras's [...k, in, out]. */
export function conv(state: ImportState, node: DecodedNode): void {
  const { value } = state.chainInput(node);
  const rank = (value.shape.length - 2) as SpatialDims;
  if (rank < 1 || rank > 3)
    state.refuse(node, `needs an input with 1 to 3 spatial axes, got [${value.shape.join(', ')}]`);
  const dataFormat = state.dataFormat(node, value, rank);
  const weights = state.constant(node, 1, 'weights');
  const [filters, inChannels, ...kernel] = weights.dims;
  const view = nodeView(state, node, state.onnxShape(value));
  if (weights.dims.length !== rank + 2)
    state.refuse(node, `needs weights of rank ${rank + 2}, got [${weights.dims.join(', ')}]`);
  if (view.int('group', 1) !== 1)
    state.refuse(node, 'is a grouped convolution (group ≠ 1), which poolkit has no layer for');
  if (state.onnxShape(value)[1] !== inChannels)
    state.refuse(node, `has weights for ${inChannels} input channels, its input has ${state.onnxShape(value)[1]}`);
  const window = windowImport(view, rank, kernel);
  const bias = state.optionalConstant(node, 2, 'bias');
  if (bias !== undefined && bias.values.length !== filters)
    state.refuse(node, `has a bias of ${bias.values.length} values for ${filters} filters`);
  const toKeras = [...identity(rank).map((axis) => axis + 2), 1, 0];
  const kernelValues = transposeValues(state.floats(node, weights, 'weights'), weights.dims, toKeras);
  const layerWeights: ImportedLayer['weights'] = [
    { name: 'kernel', shape: toKeras.map((axis) => weights.dims[axis]!), values: kernelValues },
  ];
  if (bias !== undefined)
    layerWeights.push({ name: 'bias', shape: [filters!], values: state.floats(node, bias, 'bias') });
  const config: Record<string, ConfigValue> = {
    filters: filters!,
    kernelSize: window.kernel,
    strides: window.strides,
    dilationRate: window.dilations,
    padding: conv1dPadding(state, node, rank, window) ?? window.padding,
    dataFormat,
    activation: 'linear',
    useBias: bias !== undefined,
  };
  if (rank === 1) {
    if (dataFormat !== 'channelsLast')
      state.refuse(
        node,
        "is a 1D convolution on channels-first input; poolkit's Conv1D takes [batch, steps, channels]",
      );
    delete config.dataFormat;
  }
  state.addLayer(node, value, { className: `Conv${rank}D`, config, weights: layerWeights }, value.perm);
}

/** Conv1D takes 'valid', 'same' or 'causal' only: explicit pads must be one of those. */
function conv1dPadding(
  state: ImportState,
  node: DecodedNode,
  rank: SpatialDims,
  window: ReturnType<typeof windowImport>,
) {
  if (rank !== 1 || typeof window.padding === 'string') return null;
  const [[begin, end]] = window.padding as [[number, number]];
  const reach = (window.kernel[0]! - 1) * window.dilations[0]!;
  if (begin === reach && end === 0) return 'causal';
  return state.refuse(
    node,
    `pads a 1D convolution by [${begin}, ${end}]; poolkit's Conv1D takes valid, same or causal padding`,
  );
}

/** Gemm (A·B·alpha + C·beta, B possibly transposed) → Dense. */
export function gemm(state: ImportState, node: DecodedNode): void {
  const { name, value } = state.chainInput(node);
  const view = nodeView(state, node, state.onnxShape(value));
  if (value.shape.length !== 2 || node.inputs[0] !== name)
    state.refuse(node, 'needs the model value as its first input A, of rank 2');
  if (view.int('transA', 0) !== 0) state.refuse(node, 'transposes A (transA = 1)');
  const weights = state.constant(node, 1, 'weights B');
  if (weights.dims.length !== 2) state.refuse(node, `needs B of rank 2, got [${weights.dims.join(', ')}]`);
  const transposed = view.int('transB', 0) === 1;
  const [inFeatures, units] = transposed ? [weights.dims[1]!, weights.dims[0]!] : [weights.dims[0]!, weights.dims[1]!];
  if (inFeatures !== value.shape[1])
    state.refuse(node, `has B for ${inFeatures} input features, its input has ${value.shape[1]}`);
  const alpha = view.float('alpha', 1);
  const values = state.floats(node, weights, 'B');
  const kernel = (transposed ? transposeValues(values, weights.dims, [1, 0]) : Float32Array.from(values)).map(
    (item) => item * alpha,
  );
  const layerWeights: ImportedLayer['weights'] = [{ name: 'kernel', shape: [inFeatures, units], values: kernel }];
  const bias = state.optionalConstant(node, 2, 'bias C');
  if (bias !== undefined)
    layerWeights.push({
      name: 'bias',
      shape: [units],
      values: broadcastBias(state, node, bias, units, view.float('beta', 1)),
    });
  const config = { units, activation: 'linear', useBias: bias !== undefined };
  state.addLayer(node, value, { className: 'Dense', config, weights: layerWeights }, [0, 1]);
}

/** A bias broadcast to [units] from a scalar, [units] or [1, units]. */
function broadcastBias(
  state: ImportState,
  node: DecodedNode,
  bias: DecodedTensor,
  units: number,
  scale: number,
): Float32Array {
  const values = state.floats(node, bias, 'bias');
  const leading = bias.dims.slice(0, -1);
  if (values.length === 1) return new Float32Array(units).fill(values[0]! * scale);
  if (values.length !== units || leading.some((dim) => dim !== 1))
    state.refuse(node, `has a bias of shape [${bias.dims.join(', ')}]; poolkit takes one value per unit`);
  return values.map((item) => item * scale);
}

/** MatMul by a constant [in, units] over the last axis → Dense without a bias (an Add may bring one). */
export function matMul(state: ImportState, node: DecodedNode): void {
  const { name, value } = state.chainInput(node);
  if (node.inputs[0] !== name || !isIdentity(value.perm))
    state.refuse(node, "needs the model value first, in poolkit's axis order");
  const weights = state.constant(node, 1, 'weights');
  if (weights.dims.length !== 2 || weights.dims[0] !== value.shape[value.shape.length - 1])
    state.refuse(
      node,
      `needs weights [${String(value.shape[value.shape.length - 1])}, units], got [${weights.dims.join(', ')}]`,
    );
  const layerWeights = [
    { name: 'kernel', shape: [...weights.dims], values: Float32Array.from(state.floats(node, weights, 'weights')) },
  ];
  const config = { units: weights.dims[1]!, activation: 'linear', useBias: false };
  state.addLayer(node, value, { className: 'Dense', config, weights: layerWeights }, value.perm);
}

/** Add of a constant: the bias of the Dense or Conv just before, which has none yet. */
export function add(state: ImportState, node: DecodedNode): void {
  const { name, value } = state.chainInput(node);
  const layer = state.foldable(name, value);
  const constantIndex = node.inputs.findIndex((input) => input !== name);
  const bias = constantIndex < 0 ? undefined : state.constants.get(node.inputs[constantIndex]!);
  const units = layer?.className === 'Dense' ? layer.config.units : layer?.config.filters;
  if (layer === null || bias === undefined || layer.config.useBias !== false || typeof units !== 'number')
    state.refuse(node, 'adds something other than the bias of the Dense or Conv before it');
  const rank = value.shape.length;
  // The units lie along ONNX's axis 1 after a Conv (channels first), along poolkit's last after a Dense.
  const channelAxis = layer.className === 'Dense' ? value.perm.indexOf(rank - 1) : 1;
  const aligned =
    bias.dims.length <= rank &&
    bias.dims.every((dim, axis) => dim === 1 || rank - bias.dims.length + axis === channelAxis);
  if (!aligned) state.refuse(node, `adds a constant of shape [${bias.dims.join(', ')}], not one value per channel`);
  layer.config = { ...layer.config, useBias: true };
  layer.weights.push({
    name: 'bias',
    shape: [units],
    values: broadcastBias(state, node, { ...bias, dims: [bias.values.length] }, units, 1),
  });
  state.values.delete(name);
  state.setValue(node, 0, value);
}
