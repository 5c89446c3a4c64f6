// Symbolic tensors: what `input()` and a layer called on symbolic tensors return, before any data
// exists. Each records the node (one call of a layer on its inputs) that makes it; a functional
// model() walks these nodes back from its outputs to find its graph, as Keras does.
import type { DType, Tensor } from '../tensor/tensor.js';
import type { Layer, LayerShape } from './layer.js';

/** One call of a layer on symbolic inputs; a layer called n times (shared) has n nodes. */
export interface LayerNode {
  readonly layer: Layer;
  readonly inputs: readonly SymbolicTensor[];
  /** Whether the layer was called on a list (merge layers), not on one tensor. */
  readonly inputIsList: boolean;
  /** The node's place among its layer's nodes. */
  readonly index: number;
  readonly output: SymbolicTensor;
}

/** A placeholder for a tensor in a graph under construction: its shape (batch null) and dtype. */
export class SymbolicTensor {
  /** The node that makes it (set once, by recordNode, right after construction). */
  node!: LayerNode;

  constructor(
    readonly shape: LayerShape,
    readonly dtype: DType,
  ) {}

  get sourceLayer(): Layer {
    return this.node.layer;
  }

  /** Keras's tensor name, 'dense/0' style: the layer and the node's index. */
  get name(): string {
    return `${this.node.layer.name}/${this.node.index}`;
  }

  toString(): string {
    return `SymbolicTensor(${this.dtype}, [${this.shape.map((extent) => extent ?? 'null').join(', ')}])`;
  }
}

const nodesOfLayer = new WeakMap<Layer, LayerNode[]>();

/** Every node of a layer, in call order. */
export function layerNodes(layer: Layer): readonly LayerNode[] {
  return nodesOfLayer.get(layer) ?? [];
}

/** Records a call of `layer` on symbolic inputs and returns its symbolic output. */
export function recordNode(
  layer: Layer,
  inputs: readonly SymbolicTensor[],
  inputIsList: boolean,
  output: { shape: LayerShape; dtype: DType },
): SymbolicTensor {
  const nodes = nodesOfLayer.get(layer) ?? [];
  nodesOfLayer.set(layer, nodes);
  const tensor = new SymbolicTensor(Object.freeze([...output.shape]), output.dtype);
  tensor.node = Object.freeze({
    layer,
    inputs: Object.freeze([...inputs]),
    inputIsList,
    index: nodes.length,
    output: tensor,
  });
  nodes.push(tensor.node);
  return tensor;
}

export function isSymbolicInput(input: unknown): input is SymbolicTensor | readonly SymbolicTensor[] {
  if (input instanceof SymbolicTensor) return true;
  return Array.isArray(input) && input.length > 0 && input.every((item) => item instanceof SymbolicTensor);
}

/**
 * The shape argument a layer's build and computeOutputShape take: one shape, or for a list
 * (merge layers) the list of shapes, passed where the Layer signature says LayerShape.
 */
export function shapeArgument(shapes: readonly LayerShape[], isList: boolean): LayerShape {
  return isList ? (shapes as unknown as LayerShape) : shapes[0]!;
}

/** The batch-null shape of a tensor, or of each tensor of a list (merge layers on real tensors). */
export function shapeOfInput(input: Tensor | readonly Tensor[]): LayerShape {
  const shapeOf = (tensor: Tensor): LayerShape => [null, ...tensor.shape.slice(1)];
  return Array.isArray(input) ? shapeArgument(input.map(shapeOf), true) : shapeOf(input as Tensor);
}

/** Layer.apply on symbolic tensors: checks shapes through computeOutputShape, then records the node. */
export function applySymbolic(layer: Layer, input: SymbolicTensor | readonly SymbolicTensor[]): SymbolicTensor {
  const inputIsList = Array.isArray(input);
  const inputs = inputIsList ? [...(input as readonly SymbolicTensor[])] : [input as SymbolicTensor];
  const shape = layer.computeOutputShape(
    shapeArgument(
      inputs.map((item) => item.shape),
      inputIsList,
    ),
  );
  return recordNode(layer, inputs, inputIsList, { shape, dtype: 'float32' });
}
