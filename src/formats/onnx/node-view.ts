// An ONNX node's attributes read with ONNX's defaults and checked kinds: what the pooling kinds'
// import rules (OnnxImportNode) and the other operators' importers read.
import type { DecodedNode, DecodedTensor } from './decode.js';
import type { ImportState } from './import-state.js';
import type { OnnxImportNode } from './kind-hook.js';

interface AttributeValues {
  int: number;
  ints: readonly number[];
  float: number;
  floats: readonly number[];
  string: string;
  tensor: DecodedTensor;
}

export interface NodeView extends OnnxImportNode {
  float(attribute: string, fallback: number): number;
}

/** The node as an import rule reads it; `inputShape` is its input in ONNX's order, batch 1. */
export function nodeView(state: ImportState, node: DecodedNode, inputShape: readonly number[]): NodeView {
  const refuse = (rule: string): never => state.refuse(node, rule);
  function read<Kind extends keyof AttributeValues>(name: string, kind: Kind): AttributeValues[Kind] | undefined {
    const attribute = node.attributes.get(name);
    if (attribute === undefined) return undefined;
    if (attribute.kind !== kind)
      refuse(`has attribute ${name} of the wrong kind (${attribute.kind}, ONNX says ${kind})`);
    return (attribute as { value: unknown }).value as AttributeValues[Kind];
  }
  return {
    opType: node.opType,
    name: node.name,
    inputShape,
    int: (name, fallback) => read(name, 'int') ?? fallback,
    ints: (name, fallback) => {
      const value = read(name, 'ints') ?? fallback;
      if (value === null) return refuse(`needs the attribute ${name}`);
      return [...value];
    },
    float: (name, fallback) => read(name, 'float') ?? fallback,
    string: (name, fallback) => read(name, 'string') ?? fallback,
    refuse,
  };
}
