// A model's topology between Keras's JSON (tfjs-layers' modelTopology: a Sequential, or a
// functional 'Functional'/'Model' in Keras 2's or Keras 3's node format) and poolkit's ModelJSON.
import { fail } from '../../errors.js';
import type { SerializedFunctional, TensorReference } from '../../nn/functional-json.js';
import { Model } from '../../nn/functional.js';
import type { ConfigObject, ConfigValue } from '../../nn/layer.js';
import type { AnyLayersModel } from '../../nn/layers-model.js';
import type { ModelJSON } from '../../nn/model-json.js';
import type { SerializedModel } from '../../nn/sequential.js';
import type { Tensor } from '../../tensor/tensor.js';
import { layerFromKeras, layerToKeras } from './layer-config.js';

const OP = 'modelFromTfjs';

type KerasObject = Record<string, unknown>;

function objectOf(value: unknown, what: string): KerasObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(OP, what, 'must be an object', value);
  return value as KerasObject;
}

function listOf(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) fail(OP, what, 'must be a list', value);
  return value;
}

/** A Sequential's layers; a leading InputLayer (Keras 3 writes one) gives the next layer its input shape. */
function sequentialFromKeras(config: KerasObject): SerializedModel {
  const entries = Array.isArray(config) ? config : listOf(config.layers, 'modelTopology.config.layers');
  let layers = entries.map((entry, index) => layerFromKeras(entry, `${OP} layer ${index}`));
  const first = layers[0];
  if (first?.className === 'InputLayer' && layers.length > 1) {
    const shape = first.config.batchInputShape as ConfigValue[] | undefined;
    const [next, ...rest] = layers.slice(1);
    layers = [{ ...next!, config: { ...next!.config, ...(shape ? { inputShape: shape.slice(1) } : {}) } }, ...rest];
  }
  const name = typeof config.name === 'string' ? config.name : 'sequential';
  return { className: 'Sequential', config: { name, layers } };
}

/** A node's inputs, from Keras 2's [[layer, node, tensor, kwargs], ...] or Keras 3's {args: [...keras tensors]}. */
function inboundNode(node: unknown, layer: string): TensorReference[] {
  if (Array.isArray(node))
    return node.map(
      (reference) =>
        listOf(reference, `inbound_nodes of '${layer}'`).slice(0, 3).concat([{}]) as unknown as TensorReference,
    );
  const args = listOf(objectOf(node, `inbound_nodes of '${layer}'`).args, `inbound_nodes of '${layer}'`);
  const tensors = args.flatMap((arg) => (Array.isArray(arg) ? arg : [arg]));
  return tensors.map((tensor) => {
    const history = listOf(
      objectOf(objectOf(tensor, 'a Keras tensor').config, 'a Keras tensor').keras_history,
      'keras_history',
    );
    return [...history.slice(0, 3), {}] as unknown as TensorReference;
  });
}

function functionalFromKeras(config: KerasObject): SerializedFunctional {
  const layers = listOf(config.layers, 'modelTopology.config.layers').map((entry, index) => {
    const layer = objectOf(entry, `layer ${index}`);
    const converted = layerFromKeras(layer, `${OP} layer ${index}`);
    const name = typeof layer.name === 'string' ? layer.name : String((converted.config as ConfigObject).name);
    const inboundNodes = listOf(layer.inbound_nodes ?? [], `inbound_nodes of '${name}'`).map((node) =>
      inboundNode(node, name),
    );
    return { ...converted, config: { ...converted.config, name }, name, inboundNodes };
  });
  const references = (value: unknown, what: string) =>
    listOf(value, what).map(
      (reference) => listOf(reference, what).slice(0, 3) as unknown as readonly [string, number, number],
    );
  return {
    className: 'Functional',
    config: {
      name: typeof config.name === 'string' ? config.name : 'model',
      layers,
      inputLayers: references(config.input_layers, 'input_layers'),
      outputLayers: references(config.output_layers, 'output_layers'),
    },
  };
}

/** tfjs-layers' modelTopology (or Keras's {model_config}) as poolkit's model JSON. */
export function topologyFromKeras(topology: unknown): ModelJSON {
  const outer = objectOf(topology, 'modelTopology');
  const model = outer.model_config !== undefined ? objectOf(outer.model_config, 'modelTopology.model_config') : outer;
  const className = model.class_name;
  if (className === 'Sequential') return sequentialFromKeras(model.config as KerasObject);
  if (className === 'Functional' || className === 'Model')
    return functionalFromKeras(objectOf(model.config, 'modelTopology.config')) as unknown as ModelJSON;
  return fail(OP, 'modelTopology.class_name', "must be 'Sequential', 'Functional' or 'Model'", className);
}

/** A built poolkit model as Keras's modelTopology, as tfjs-layers writes it. */
export function topologyToKeras(model: AnyLayersModel): ConfigObject {
  const common = { keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' };
  if (!(model instanceof Model)) {
    const layers = model.layers.map((layer) => layerToKeras(layer));
    return { class_name: 'Sequential', config: { name: model.name, layers }, ...common };
  }
  const json = (model as Model<Tensor | Tensor[]>).toJSON();
  const layers = json.config.layers.map((entry, index) => ({
    ...layerToKeras(model.layers[index]!),
    name: entry.name,
    inbound_nodes: entry.inboundNodes.map((node) => node.map((reference) => [...reference])) as unknown as ConfigValue,
  }));
  const references = (list: readonly (readonly [string, number, number])[]) => list.map((reference) => [...reference]);
  const config = {
    name: model.name,
    layers,
    input_layers: references(json.config.inputLayers),
    output_layers: references(json.config.outputLayers),
  };
  return { class_name: 'Functional', config: config as unknown as ConfigObject, ...common };
}
