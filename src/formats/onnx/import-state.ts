// The state of an ONNX import: the chain of layers made so far (configs and weights, built into a
// Sequential at the end), each ONNX value on the chain with its axis order relative to poolkit's
// tensor and its shape, the constants, and errors that name the node and the file.
import type { SpatialDims } from '../../geometry/layout.js';
import { failFile, PoolkitFileError } from '../../io/file-error.js';
import { layerFromConfig } from '../../nn/layer-table.js';
import type { ConfigObject, LayerShape } from '../../nn/layer.js';
import type { DecodedModel, DecodedNode, DecodedTensor } from './decode.js';
import { channelsFirstPerm, isIdentity, samePerm } from './layout.js';

/** An ONNX value on the chain: onnx = transpose(poolkit tensor, perm); the poolkit shape (batch null). */
export interface ChainValue {
  readonly perm: readonly number[];
  readonly shape: LayerShape;
  /** The index of the layer that made it, or null (the graph input, or after a Transpose). */
  readonly producer: number | null;
}

/** A layer to make: its class and config, and its weights in Keras's order and layouts. */
export interface ImportedLayer {
  readonly className: string;
  config: ConfigObject;
  weights: { readonly name: string; readonly shape: readonly number[]; values: Float32Array }[];
}

export class ImportState {
  readonly layers: ImportedLayer[] = [];
  readonly values = new Map<string, ChainValue>();
  readonly constants: Map<string, DecodedTensor>;
  /** How many nodes and graph outputs read each value. */
  readonly readers = new Map<string, number>();

  constructor(
    readonly model: DecodedModel,
    readonly file: string,
  ) {
    this.constants = new Map(model.initializers);
    for (const node of model.nodes)
      for (const input of node.inputs) this.readers.set(input, (this.readers.get(input) ?? 0) + 1);
    for (const output of model.outputs) this.readers.set(output.name, (this.readers.get(output.name) ?? 0) + 1);
  }

  /** Throws an error naming the file and the node. */
  refuse(node: DecodedNode, rule: string): never {
    failFile(this.file, `node '${node.name}' (${node.opType}): ${rule}`);
  }

  /** The node's one input on the chain (the others must be constants). */
  chainInput(node: DecodedNode): { name: string; value: ChainValue } {
    const chained = node.inputs.filter((input) => this.values.has(input));
    if (chained.length !== 1)
      this.refuse(
        node,
        chained.length === 0
          ? 'reads no value computed from the model input'
          : 'joins branches; poolkit imports a chain of layers (Sequential)',
      );
    const name = chained[0]!;
    if ((this.readers.get(name) ?? 0) > 1)
      this.refuse(node, `reads '${name}', which other nodes read too; poolkit imports a chain of layers (Sequential)`);
    return { name, value: this.values.get(name)! };
  }

  /** The node's input `index` as a constant (an initializer or a Constant node's output); undefined when absent. */
  optionalConstant(node: DecodedNode, index: number, what: string): DecodedTensor | undefined {
    const name = node.inputs[index];
    if (name === undefined || name === '') return undefined;
    const tensor = this.constants.get(name);
    if (tensor === undefined)
      this.refuse(node, `needs its ${what} (input ${index}, '${name}') to be a constant in the file`);
    return tensor;
  }

  constant(node: DecodedNode, index: number, what: string): DecodedTensor {
    const tensor = this.optionalConstant(node, index, what);
    if (tensor === undefined) this.refuse(node, `needs its ${what} (input ${index})`);
    return tensor;
  }

  /** A constant's values as float32 (weights). */
  floats(node: DecodedNode, tensor: DecodedTensor, what: string): Float32Array {
    if (!(tensor.values instanceof Float32Array))
      this.refuse(node, `needs float ${what}, got element type ${tensor.type}`);
    return tensor.values;
  }

  /** 'channelsFirst' when the value is poolkit's tensor as is, 'channelsLast' when it is its channels-first view. */
  dataFormat(node: DecodedNode, value: ChainValue, rank: SpatialDims): 'channelsFirst' | 'channelsLast' {
    if (value.shape.length !== rank + 2)
      this.refuse(node, `needs an input of rank ${rank + 2}, got [${value.shape.join(', ')}]`);
    if (isIdentity(value.perm)) return 'channelsFirst';
    if (samePerm(value.perm, channelsFirstPerm(rank + 2))) return 'channelsLast';
    return this.refuse(
      node,
      `reads its input in an axis order poolkit's layers do not take (transposed by [${value.perm.join(', ')}])`,
    );
  }

  /** The value's shape in ONNX's order, batch 1 (what attributes describe). */
  onnxShape(value: ChainValue): number[] {
    return value.perm.map((axis, index) => (index === 0 ? 1 : (value.shape[axis] ?? 1)));
  }

  /** Appends a layer reading `input`; its output (in order `perm`) becomes the node's first output. */
  addLayer(node: DecodedNode, input: ChainValue, layer: ImportedLayer, perm: readonly number[]): void {
    let shape: LayerShape;
    try {
      shape = layerFromConfig({ className: layer.className, config: layer.config }).computeOutputShape(input.shape);
    } catch (error) {
      if (error instanceof PoolkitFileError) throw error;
      this.refuse(node, `makes a ${layer.className} poolkit cannot build: ${(error as Error).message}`);
    }
    this.layers.push(layer);
    this.setValue(node, 0, { perm, shape, producer: this.layers.length - 1 });
  }

  /** The layer that made `value` when nothing else reads its output, so a following node may fold into it. */
  foldable(name: string, value: ChainValue): ImportedLayer | null {
    const isOutput = this.model.outputs.some((output) => output.name === name);
    return value.producer === this.layers.length - 1 && !isOutput ? this.layers[value.producer]! : null;
  }

  setValue(node: DecodedNode, index: number, value: ChainValue): void {
    const name = node.outputs[index];
    if (name === undefined || name === '') this.refuse(node, 'has no output');
    if (this.values.has(name) || this.constants.has(name))
      this.refuse(node, `writes '${name}', which an earlier node or initializer already defines`);
    this.values.set(name, value);
  }

  /** Outputs past the first (MaxPool's Indices, Dropout's mask) must be unread: poolkit layers have one output. */
  onlyFirstOutput(node: DecodedNode): void {
    for (const output of node.outputs.slice(1)) {
      if (output !== '' && (this.readers.get(output) ?? 0) > 0)
        this.refuse(node, `has its output '${output}' read; poolkit layers return their first output only`);
    }
  }
}
