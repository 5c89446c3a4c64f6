// ONNX operators → poolkit layers, besides pooling (import-pooling.ts) and the weight-bearing ones
// (import-linear-ops.ts: Conv, Gemm, MatMul, their bias Add): BatchNormalization, Flatten, Reshape,
// Dropout, the activations (folded into the layer before where it has none), and the ones that only
// rename or reorder a value (Identity, Transpose) or hold one (Constant).
import type { DecodedNode } from './decode.js';
import { add, conv, gemm, matMul } from './import-linear-ops.js';
import type { ImportState } from './import-state.js';
import { afterTranspose, identity, isIdentity } from './layout.js';
import { nodeView } from './node-view.js';

export type OpImporter = (state: ImportState, node: DecodedNode) => void;

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
