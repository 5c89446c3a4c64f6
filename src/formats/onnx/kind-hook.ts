// The ONNX part of a pooling kind's definition (KindDefinition.onnx): how its layer exports (the
// nodes that compute it at inference, or why ONNX cannot), and which ONNX operators import to it.
// Each kind file writes its own; the exporter and importer iterate the registry.
import type { SpatialDims } from '../../geometry/layout.js';
import type { ConfigValue } from '../../nn/layer.js';
import type { OpOptions } from '../../pooling/kind.js';
import type { Shape, Tensor } from '../../tensor/tensor.js';
import type { OnnxGraph } from './graph.js';

/** What a kind's export hook is given. */
export interface OnnxExportCall {
  readonly graph: OnnxGraph;
  /** The layer's name ('max_pooling2d'), for node names and errors. */
  readonly owner: string;
  readonly rank: SpatialDims;
  /** The layer's options by op name, layer defaults and layer-only settings included. */
  readonly options: OpOptions;
  /** The input in the graph, channels first: [batch, channels, ...spatial]. */
  readonly input: string;
  /** The input's shape in the layer's own data format, batch 1: what the kind's geometry takes. */
  readonly inputShape: Shape;
  /** The layer's weights, in its order. */
  readonly weights: readonly Tensor[];
  /** The second input where the layer was called on [input, second] (RoI layers' rois [K, 5]); else null. */
  readonly second?: string | null;
  /** Also compute each window's argmax, as int32 flat spatial indices per plane (the op's returnIndices). */
  readonly indices: boolean;
}

export interface OnnxExportResult {
  /** The output in the graph. */
  readonly output: string;
  /** 'spatial': channels first, [batch, channels, ...spatial]; 'flat': [batch, features] in the layer's own order. */
  readonly layout: 'spatial' | 'flat';
  /** The argmax output, when asked for and the kind has one. */
  readonly indices?: string;
}

/** One ONNX node as an import rule reads it. */
export interface OnnxImportNode {
  readonly opType: string;
  /** The node's name (or its first output's), for errors. */
  readonly name: string;
  /** The input's shape, channels first, batch included (1 where dynamic). */
  readonly inputShape: readonly number[];
  int(attribute: string, fallback: number): number;
  ints(attribute: string, fallback: readonly number[] | null): number[];
  string(attribute: string, fallback: string): string;
  /** Throws a clear error naming the node: `rule` says what poolkit cannot take. */
  refuse(rule: string): never;
}

export interface OnnxImportResult {
  readonly rank: SpatialDims;
  /** The layer config by the kind's config names; the importer adds dataFormat. */
  readonly config: Readonly<Record<string, ConfigValue>>;
}

export interface KindOnnx {
  /** The nodes computing the layer at inference, or a refusal: a sentence saying why ONNX cannot express it. */
  readonly export: ((call: OnnxExportCall) => OnnxExportResult) | { readonly refused: string };
  /** The ONNX operators that import to this kind, and a layer config from one such node. */
  readonly import?: {
    readonly ops: readonly string[];
    config(node: OnnxImportNode): OnnxImportResult;
  };
}
