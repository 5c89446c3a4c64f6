// A poolkit model (Sequential or functional) → an ONNX model for inference: the graph's inputs and
// outputs keep poolkit's shapes and axis order (batch dynamic), and Transposes go only where a
// layer needs channels first (ONNX's convolutions and pools) or poolkit's order back.
import { fail } from '../../errors.js';
import { Model } from '../../nn/functional.js';
import type { Layer, LayerShape } from '../../nn/layer.js';
import type { AnyLayersModel } from '../../nn/layers-model.js';
import { InputLayer } from '../../nn/layers/input-layer.js';
import { Sequential } from '../../nn/sequential.js';
import { Pooling } from '../../pooling/layer.js';
import type { Tensor } from '../../tensor/tensor.js';
import { encodeModel } from './encode.js';
import { layerExporters, refuseLayer, type ExportValue, type LayerExport } from './export-layers.js';
import { exportPoolingLayer } from './export-pooling.js';
import { ONNX_FLOAT, ONNX_INT32, OnnxGraph } from './graph.js';
import { identity, samePerm, transposeBetween } from './layout.js';

export interface OnnxExportOptions {
  /** Key-value metadata kept in the model (ModelProto.metadata_props). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** One layer call: the keys of its input values and of its output, and its output shape. */
interface Step {
  readonly layer: Layer;
  readonly inputs: readonly unknown[];
  readonly output: unknown;
  readonly outputShape: LayerShape;
}

interface ModelWalk {
  readonly inputs: readonly { key: unknown; name: string; shape: LayerShape; integer: boolean }[];
  readonly steps: readonly Step[];
  readonly outputs: readonly unknown[];
}

function walkSequential(model: Sequential): ModelWalk {
  let shape = model.inputShape!;
  let key: unknown = 'input';
  const steps = model.layers.map((layer) => {
    const step = { layer, inputs: [key], output: layer, outputShape: layer.computeOutputShape(shape) };
    [shape, key] = [step.outputShape, layer];
    return step;
  });
  return { inputs: [{ key: 'input', name: 'input', shape: model.inputShape!, integer: false }], steps, outputs: [key] };
}

function walkFunctional(model: Model<Tensor | Tensor[]>): ModelWalk {
  const inputs = model.inputs.map((tensor) => {
    const layer = tensor.node.layer as InputLayer;
    return { key: tensor, name: layer.name, shape: tensor.shape, integer: layer.dtype === 'int32' };
  });
  const steps = model.nodes
    .filter((node) => node.inputs.length > 0)
    .map((node) => ({ layer: node.layer, inputs: node.inputs, output: node.output, outputShape: node.output.shape }));
  return { inputs, steps, outputs: model.outputs };
}

/** The graph's value of poolkit's tensor `value` in order `perm`, each Transpose written once. */
function orderer(graph: OnnxGraph): LayerExport['ordered'] {
  const made = new Map<string, string>();
  return (value, perm) => {
    if (samePerm(value.perm, perm)) return value.name;
    const key = `${value.name}|${perm.join()}`;
    let name = made.get(key);
    if (name === undefined) {
      name = graph.apply('Transpose', [value.name], { perm: transposeBetween(value.perm, perm) });
      made.set(key, name);
    }
    return name;
  };
}

const dynamicBatch = (shape: LayerShape) => ['batch', ...shape.slice(1)];

/**
 * The model as ONNX bytes (opset 19), computing what predict computes (inference: Dropout is the
 * identity, random pooling kinds their expectation). Inputs are named as the model's ('input' for a
 * Sequential), outputs 'output' (or output_0, output_1, ...). A layer ONNX cannot express throws, naming it.
 * @example const bytes = modelToOnnx(model); // then onnxruntime: InferenceSession.create(bytes)
 */
export function modelToOnnx(model: AnyLayersModel, options: OnnxExportOptions = {}): Uint8Array {
  if (!(model instanceof Sequential) && !(model instanceof Model))
    fail('modelToOnnx', 'model', 'must be a Sequential or a functional Model', model);
  if (model.isDisposed) fail('modelToOnnx', 'model', 'must not be disposed', model.name);
  if (!model.built) fail('modelToOnnx', 'model', 'must be built (give the first layer an inputShape)', model.name);
  const walk = model instanceof Sequential ? walkSequential(model) : walkFunctional(model as Model<Tensor | Tensor[]>);
  const graph = new OnnxGraph();
  const ordered = orderer(graph);
  const values = new Map<unknown, ExportValue>();
  for (const input of walk.inputs) {
    const name = graph.input(input.name, input.integer ? ONNX_INT32 : ONNX_FLOAT, dynamicBatch(input.shape));
    values.set(input.key, { name, perm: identity(input.shape.length), shape: input.shape });
  }
  for (const step of walk.steps) {
    const exporter = step.layer instanceof Pooling ? exportPoolingLayer : layerExporters[step.layer.className];
    if (exporter === undefined) refuseLayer(step.layer, 'poolkit has no ONNX export for this layer class');
    const inputs = step.inputs.map((key) => values.get(key)!);
    const output = exporter({ graph, layer: step.layer, inputs, ordered });
    values.set(step.output, { ...output, shape: step.outputShape });
  }
  walk.outputs.forEach((key, index) => {
    const value = values.get(key)!;
    const name = walk.outputs.length === 1 ? 'output' : `output_${index}`;
    const final = ordered(value, identity(value.shape.length));
    graph.output(
      graph.node('Identity', [final], {}, { outputs: [graph.fresh(name)] })[0]!,
      ONNX_FLOAT,
      dynamicBatch(value.shape),
    );
  });
  return encodeModel(graph, { name: model.name, metadata: options.metadata });
}
