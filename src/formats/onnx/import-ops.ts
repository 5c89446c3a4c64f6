// ONNX operators → poolkit layers, besides pooling (import-pooling.ts): Conv, Gemm and MatMul (with
// a following Add folded in as the bias), BatchNormalization, Flatten, Reshape, Dropout, the
// activations (folded into the layer before where it has none), and the ones that only rename or
// reorder a value (Identity, Transpose) or hold one (Constant).
import type { SpatialDims } from '../../geometry/layout.js';
import type { ConfigValue } from '../../nn/layer.js';
import type { DecodedNode, DecodedTensor } from './decode.js';
import type { ImportedLayer, ImportState } from './import-state.js';
import { afterTranspose, identity, isIdentity, transposeValues } from './layout.js';
import { nodeView } from './node-view.js';
import { windowImport } from './pool-import.js';

export type OpImporter = (state: ImportState, node: DecodedNode) => void;

/** Conv → Conv1D/2D/3D: ONNX's weights [out, in, ...k] as Keras's [...k, in, out]. */
function conv(state: ImportState, node: DecodedNode): void {
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
function gemm(state: ImportState, node: DecodedNode): void {
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
function matMul(state: ImportState, node: DecodedNode): void {
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
function add(state: ImportState, node: DecodedNode): void {
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

const ACTIVATIONS: Readonly<Record<string, string>> = {
  Relu: 'relu',
  Sigmoid: 'sigmoid',
  Tanh: 'tanh',
  Softmax: 'softmax',
};

/** An activation: folded into the layer before when it has none, else an Activation layer. */
function activation(state: ImportState, node: DecodedNode): void {
  const { name, value } = state.chainInput(node);
  const activationName = ACTIVATIONS[node.opType]!;
  if (node.opType === 'Softmax') {
    const rank = value.shape.length;
    const fallback = state.model.opset >= 13 ? -1 : 1;
    const axis = nodeView(state, node, state.onnxShape(value)).int('axis', fallback);
    const onnxAxis = axis < 0 ? rank + axis : axis;
    const lastBefore13 = state.model.opset < 13 && onnxAxis === rank - 1;
    if (value.perm[onnxAxis] !== rank - 1 || (state.model.opset < 13 && !lastBefore13))
      state.refuse(node, "normalises an axis other than poolkit's last (features) axis");
  }
  const layer = state.foldable(name, value);
  if (layer !== null && layer.config.activation === 'linear') {
    layer.config = { ...layer.config, activation: activationName };
    state.values.delete(name);
    state.setValue(node, 0, value);
    return;
  }
  state.addLayer(
    node,
    value,
    { className: 'Activation', config: { activation: activationName }, weights: [] },
    value.perm,
  );
}

function flatten(state: ImportState, node: DecodedNode): void {
  const { value } = state.chainInput(node);
  if (nodeView(state, node, state.onnxShape(value)).int('axis', 1) !== 1)
    state.refuse(node, 'flattens from an axis other than 1');
  if (!isIdentity(value.perm))
    state.refuse(
      node,
      "flattens a value in another axis order than poolkit's tensor (a Transpose before it); the features would be reordered",
    );
  state.addLayer(node, value, { className: 'Flatten', config: {}, weights: [] }, [0, 1]);
}

/** Reshape by a constant shape whose first entry keeps the batch (0, -1, or the exported batch size). */
function reshape(state: ImportState, node: DecodedNode): void {
  const { value } = state.chainInput(node);
  const shape = state.constant(node, 1, 'shape').values as readonly number[];
  if (!isIdentity(value.perm)) state.refuse(node, "reshapes a value in another axis order than poolkit's tensor");
  if (shape.length < 2) state.refuse(node, `needs a shape with a batch axis, got [${shape.join(', ')}]`);
  if (nodeView(state, node, []).int('allowzero', 0) === 1 && shape.includes(0))
    state.refuse(node, 'has allowzero = 1 with a 0 in its shape (an empty axis)');
  const rest = shape.slice(1).map((extent, axis) => (extent === 0 ? value.shape[axis + 1] : extent));
  if (
    rest.some((extent) => extent === null || (extent! < 1 && extent !== -1)) ||
    (shape[0] === -1 && rest.includes(-1))
  )
    state.refuse(node, `has a shape poolkit cannot read per example: [${shape.join(', ')}]`);
  const targetShape = rest as number[];
  state.addLayer(
    node,
    value,
    { className: 'Reshape', config: { targetShape }, weights: [] },
    identity(targetShape.length + 1),
  );
}

/** BatchNormalization (inference) over ONNX's axis 1: poolkit's axis perm[1]. */
function batchNormalization(state: ImportState, node: DecodedNode): void {
  const { value } = state.chainInput(node);
  const view = nodeView(state, node, state.onnxShape(value));
  if (view.int('training_mode', 0) !== 0) state.refuse(node, 'is in training mode');
  state.onlyFirstOutput(node);
  const channels = state.onnxShape(value)[1]!;
  const names = ['gamma', 'beta', 'moving_mean', 'moving_variance'];
  const weights = names.map((name, index) => {
    const tensor = state.constant(node, index + 1, name);
    if (tensor.values.length !== channels)
      state.refuse(node, `has ${tensor.values.length} values of ${name} for ${channels} channels`);
    return { name, shape: [channels], values: Float32Array.from(state.floats(node, tensor, name)) };
  });
  const config = { axis: value.perm[1]!, epsilon: view.float('epsilon', 1e-5), momentum: view.float('momentum', 0.9) };
  state.addLayer(node, value, { className: 'BatchNormalization', config, weights }, value.perm);
}

/** Dropout: its ratio an attribute before opset 12, an input since; inference only. */
function dropout(state: ImportState, node: DecodedNode): void {
  const { value } = state.chainInput(node);
  state.onlyFirstOutput(node);
  const view = nodeView(state, node, state.onnxShape(value));
  const ratio =
    state.model.opset < 12 ? view.float('ratio', 0.5) : (state.optionalConstant(node, 1, 'ratio')?.values[0] ?? 0.5);
  const training = state.optionalConstant(node, 2, 'training_mode');
  if (training !== undefined && training.values[0] !== 0) state.refuse(node, 'is in training mode');
  state.addLayer(node, value, { className: 'Dropout', config: { rate: ratio }, weights: [] }, value.perm);
}

function rename(state: ImportState, node: DecodedNode): void {
  const { value } = state.chainInput(node);
  state.setValue(node, 0, value);
}

/** Transpose reorders ONNX's axes: poolkit's tensor stays, its recorded order changes. */
function transpose(state: ImportState, node: DecodedNode): void {
  const { value } = state.chainInput(node);
  const rank = value.perm.length;
  const perm = nodeView(state, node, state.onnxShape(value)).ints('perm', identity(rank).reverse());
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((axis, index) => axis !== index))
    state.refuse(node, `has perm [${perm.join(', ')}], not a permutation of ${rank} axes`);
  state.setValue(node, 0, { ...value, perm: afterTranspose(value.perm, perm), producer: null });
}

/** A Constant node: its value joins the constants. */
function constant(state: ImportState, node: DecodedNode): void {
  const tensor = node.attributes.get('value');
  const name = node.outputs[0] ?? '';
  if (tensor?.kind === 'tensor') state.constants.set(name, { ...tensor.value, name });
  else {
    const view = nodeView(state, node, []);
    const ints = node.attributes.has('value_ints')
      ? view.ints('value_ints', [])
      : node.attributes.has('value_int')
        ? [view.int('value_int', 0)]
        : null;
    if (ints === null)
      state.refuse(node, 'holds a value poolkit does not read (it reads value, value_int and value_ints)');
    state.constants.set(name, {
      name,
      dims: node.attributes.has('value_int') ? [] : [ints.length],
      type: 7,
      values: ints,
    });
  }
}

/** The importers of the operators besides pooling, by op type. */
export const opImporters: Readonly<Record<string, OpImporter>> = Object.freeze({
  Conv: conv,
  Gemm: gemm,
  MatMul: matMul,
  Add: add,
  Relu: activation,
  Sigmoid: activation,
  Tanh: activation,
  Softmax: activation,
  Flatten: flatten,
  Reshape: reshape,
  BatchNormalization: batchNormalization,
  Dropout: dropout,
  Identity: rename,
  Transpose: transpose,
  Constant: constant,
});
