// An OnnxGraph → the bytes of an ONNX ModelProto, through onnx-proto (ONNX's message definitions
// compiled with protobufjs). poolkit writes opset 19 (AveragePool's dilations, LpPool's ceil_mode)
// at IR version 9, the pair ONNX's own version table gives.
import type { AttributeValue, OnnxGraph, OnnxInitializer, OnnxValueInfo } from './graph.js';
import { ONNX_FLOAT } from './graph.js';
import { ATTRIBUTE, onnxMessages, type onnxProto } from './proto.js';

export const ONNX_OPSET = 19;
export const ONNX_IR_VERSION = 9;

export interface EncodeOptions {
  /** The graph's name (the model's). */
  readonly name: string;
  /** Free text kept in the model (ModelProto.doc_string). */
  readonly docString?: string;
  /** Key-value metadata (ModelProto.metadata_props). */
  readonly metadata?: Readonly<Record<string, string>>;
}

function attribute(name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto {
  if (typeof value === 'string') return { name, type: ATTRIBUTE.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return { name, type: ATTRIBUTE.INT, i: value };
  if (Array.isArray(value)) return { name, type: ATTRIBUTE.INTS, ints: [...(value as number[])] };
  return { name, type: ATTRIBUTE.FLOAT, f: (value as { float: number }).float };
}

function tensor(initializer: OnnxInitializer): onnxProto.onnx.ITensorProto {
  const { name, type, shape, values } = initializer;
  if (type === ONNX_FLOAT) {
    // raw_data: little-endian float32, the compact form every runtime reads.
    const floats = values instanceof Float32Array ? values : Float32Array.from(values);
    const bytes = new Uint8Array(floats.length * 4);
    const view = new DataView(bytes.buffer);
    floats.forEach((item, index) => view.setFloat32(index * 4, item, true));
    return { name, dataType: type, dims: [...shape], rawData: bytes };
  }
  return { name, dataType: type, dims: [...shape], int64Data: [...values] };
}

function valueInfo(info: OnnxValueInfo): onnxProto.onnx.IValueInfoProto {
  const dim = info.shape.map((extent) =>
    typeof extent === 'number' ? { dimValue: extent } : { dimParam: extent ?? undefined },
  );
  return { name: info.name, type: { tensorType: { elemType: info.type, shape: { dim } } } };
}

/** The serialised ModelProto of `graph`. */
export function encodeModel(graph: OnnxGraph, options: EncodeOptions): Uint8Array {
  const onnx = onnxMessages('modelToOnnx');
  const model = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    producerName: 'poolkit',
    producerVersion: '0.1.0',
    docString: options.docString ?? '',
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: options.name,
      node: graph.nodes.map((node) => ({
        name: node.name,
        opType: node.opType,
        input: [...node.inputs],
        output: [...node.outputs],
        attribute: Object.entries(node.attributes).map(([name, value]) => attribute(name, value)),
      })),
      initializer: graph.initializers.map(tensor),
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
