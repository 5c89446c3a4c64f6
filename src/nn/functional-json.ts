// A functional model as Keras's JSON ({className: 'Functional', config: {name, layers, inputLayers,
// outputLayers}}, each layer with its inboundNodes [[layerName, nodeIndex, tensorIndex, {}], ...])
// in poolkit's camelCase, and the symbolic graph rebuilt from it (Keras's older 'Model' too).
import { fail } from '../errors.js';
import { layerFromConfig } from './layer-table.js';
import type { ConfigObject, Layer } from './layer.js';
import type { Model } from './functional.js';
import { InputLayer } from './layers/input-layer.js';
import type { SymbolicTensor } from './symbolic.js';
import type { Tensor } from '../tensor/tensor.js';

/** An inbound tensor: [layer name, node index in the model, tensor index, call options]. */
export type TensorReference = readonly [string, number, number, ConfigObject];

export interface SerializedFunctionalLayer {
  readonly className: string;
  readonly config: ConfigObject;
  readonly name: string;
  /** One entry per call of the layer in the model: the tensors it was called on. */
  readonly inboundNodes: readonly (readonly TensorReference[])[];
}

export interface SerializedFunctional {
  readonly className: 'Functional';
  readonly config: {
    readonly name: string;
    readonly layers: readonly SerializedFunctionalLayer[];
    readonly inputLayers: readonly (readonly [string, number, number])[];
    readonly outputLayers: readonly (readonly [string, number, number])[];
  };
}

export function functionalToJSON(model: Model<Tensor | Tensor[]>): SerializedFunctional {
  const reference = (tensor: SymbolicTensor): [string, number, number] => [
    tensor.node.layer.name,
    model.nodeIndex(tensor.node),
    0,
  ];
  const layers = model.layers.map((layer) => ({
    className: layer.className,
    config: layer.getConfig(),
    name: layer.name,
    inboundNodes: model.nodes
      .filter((node) => node.layer === layer && node.inputs.length > 0)
      .map((node) => node.inputs.map((input): TensorReference => [...reference(input), {}])),
  }));
  const config = {
    name: model.name,
    layers,
    inputLayers: model.inputs.map(reference),
    outputLayers: model.outputs.map(reference),
  };
  return { className: 'Functional', config };
}

/** Whether `json` is a functional model's ('Functional', or 'Model' as older Keras and tfjs write it). */
export function isFunctionalJSON(json: unknown): json is SerializedFunctional {
  const className = (json as { className?: unknown } | null)?.className;
  return className === 'Functional' || className === 'Model';
}

function list(name: string, value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) fail('modelFromJSON', name, 'must be a list', value);
  return value;
}

/** The symbolic graph of a functional model's JSON: its layers called again on their inbound tensors. */
export function functionalGraphFromJSON(json: SerializedFunctional): {
  name: string | undefined;
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
} {
  const config = json.config;
  const entries = list('config.layers', config?.layers) as SerializedFunctionalLayer[];
  const layers = new Map<
    string,
    { layer: Layer; pending: (readonly TensorReference[])[]; outputs: SymbolicTensor[] }
  >();
  for (const entry of entries) {
    const layer = layerFromConfig(entry);
    const pending = [...(list(`inboundNodes of '${layer.name}'`, entry.inboundNodes ?? []) as TensorReference[][])];
    layers.set(layer.name, { layer, pending, outputs: layer instanceof InputLayer ? [layer.output] : [] });
  }
  const find = ([name, nodeIndex]: readonly unknown[]): SymbolicTensor | undefined =>
    layers.get(name as string)?.outputs[nodeIndex as number];
  // Calls each layer once its inbound tensors exist, until every node is made (the list need not be in order).
  for (let progress = true; progress;) {
    progress = false;
    for (const state of layers.values()) {
      const next = state.pending[0];
      const inputs = next?.map(find);
      if (next === undefined || inputs!.some((input) => input === undefined)) continue;
      const called = inputs!.length === 1 ? inputs![0]! : (inputs as SymbolicTensor[]);
      state.outputs.push(state.layer.apply(called));
      state.pending.shift();
      progress = true;
    }
  }
  const resolve = (name: string) => (reference: unknown) => {
    const tensor = Array.isArray(reference) ? find(reference) : undefined;
    if (tensor === undefined) fail('modelFromJSON', name, 'must name a layer output the graph makes', reference);
    return tensor;
  };
  const stuck = [...layers.values()].find((state) => state.pending.length > 0);
  if (stuck !== undefined) fail('modelFromJSON', 'inboundNodes', 'must name layers of the model', stuck.layer.name);
  const inputs = list('config.inputLayers', config.inputLayers).map(resolve('config.inputLayers'));
  const outputs = list('config.outputLayers', config.outputLayers).map(resolve('config.outputLayers'));
  return { name: config.name, inputs, outputs };
}
