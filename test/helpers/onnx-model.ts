// A tiny ONNX protobuf writer for tests: one node, its graph inputs and outputs, in a ModelProto
// that onnxruntime-node runs (field numbers of onnx/onnx.proto). Only what a one-node graph needs;
// to be pointed at the shared encoder (src/formats/onnx/) once that lands.
import * as ort from 'onnxruntime-node';

/** Protobuf wire writer: varints, 32-bit floats and length-delimited fields. */
class Writer {
  private readonly bytes: number[] = [];

  varint(field: number, value: number): this {
    this.key(field, 0);
    this.raw(value);
    return this;
  }

  float(field: number, value: number): this {
    this.key(field, 5);
    const buffer = new DataView(new ArrayBuffer(4));
    buffer.setFloat32(0, value, true);
    for (let index = 0; index < 4; index++) this.bytes.push(buffer.getUint8(index));
    return this;
  }

  text(field: number, value: string): this {
    return this.message(field, new TextEncoder().encode(value));
  }

  message(field: number, body: Uint8Array): this {
    this.key(field, 2);
    this.raw(body.length);
    for (const byte of body) this.bytes.push(byte);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }

  private key(field: number, wireType: number): void {
    this.raw(field * 8 + wireType);
  }

  /** Non-negative varint (every number written here is a count, a size or an enum). */
  private raw(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.bytes.push((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.bytes.push(rest);
  }
}

/** TensorProto.DataType values. */
const ELEMENT_TYPES = { float32: 1, int32: 6, int64: 7 } as const;
/** AttributeProto.AttributeType values. */
const ATTRIBUTE_TYPES = { float: 1, int: 2, string: 3, ints: 7 } as const;

export type OnnxElementType = keyof typeof ELEMENT_TYPES;

/** One attribute: exactly one of float, int, string or ints. */
export type OnnxAttribute =
  | { readonly name: string; readonly float: number }
  | { readonly name: string; readonly int: number }
  | { readonly name: string; readonly string: string }
  | { readonly name: string; readonly ints: readonly number[] };

export interface OnnxValue {
  readonly name: string;
  readonly type: OnnxElementType;
  /** Omitted: the shape is left to the runtime (outputs). */
  readonly shape?: readonly number[];
}

export interface OnnxNodeModel {
  /** The operator type in the default domain ('RoiAlign', 'MaxRoiPool'). */
  readonly op: string;
  readonly opset: number;
  readonly inputs: readonly OnnxValue[];
  readonly outputs: readonly OnnxValue[];
  readonly attributes?: readonly OnnxAttribute[];
}

function attributeProto(attribute: OnnxAttribute): Uint8Array {
  const writer = new Writer().text(1, attribute.name);
  if ('float' in attribute) return writer.float(2, attribute.float).varint(20, ATTRIBUTE_TYPES.float).finish();
  if ('int' in attribute) return writer.varint(3, attribute.int).varint(20, ATTRIBUTE_TYPES.int).finish();
  if ('string' in attribute) return writer.text(4, attribute.string).varint(20, ATTRIBUTE_TYPES.string).finish();
  for (const item of attribute.ints) writer.varint(8, item);
  return writer.varint(20, ATTRIBUTE_TYPES.ints).finish();
}

function valueInfoProto(value: OnnxValue): Uint8Array {
  const tensorType = new Writer().varint(1, ELEMENT_TYPES[value.type]);
  if (value.shape !== undefined) {
    const dims = new Writer();
    for (const size of value.shape) dims.message(1, new Writer().varint(1, size).finish());
    tensorType.message(2, dims.finish());
  }
  const type = new Writer().message(1, tensorType.finish()).finish();
  return new Writer().text(1, value.name).message(2, type).finish();
}

/** The serialized ModelProto of one node whose inputs and outputs are the graph's. */
export function onnxNodeModel(spec: OnnxNodeModel): Uint8Array {
  const node = new Writer();
  for (const input of spec.inputs) node.text(1, input.name);
  for (const output of spec.outputs) node.text(2, output.name);
  node.text(3, 'node').text(4, spec.op);
  for (const attribute of spec.attributes ?? []) node.message(5, attributeProto(attribute));
  const graph = new Writer().message(1, node.finish()).text(2, 'one-node');
  for (const input of spec.inputs) graph.message(11, valueInfoProto(input));
  for (const output of spec.outputs) graph.message(12, valueInfoProto(output));
  const opset = new Writer().text(1, '').varint(2, spec.opset).finish();
  return new Writer().varint(1, 8).text(2, 'poolkit-test').message(7, graph.finish()).message(8, opset).finish();
}

/** A tensor fed to or read from a session: its element type, shape and values. */
export interface OnnxTensor {
  readonly type: 'float32' | 'int64';
  readonly shape: readonly number[];
  readonly values: Float32Array | BigInt64Array;
}

/** Runs the one-node model on onnxruntime-node's CPU provider; returns its first output's values. */
export async function runOnnxNode(spec: OnnxNodeModel, feeds: Record<string, OnnxTensor>): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(onnxNodeModel(spec), { logSeverityLevel: 3 });
  try {
    const inputs = Object.fromEntries(
      Object.entries(feeds).map(([name, { type, shape, values }]) => [name, new ort.Tensor(type, values, [...shape])]),
    );
    const results = await session.run(inputs);
    return Float32Array.from(results[spec.outputs[0]!.name]!.data as Float32Array);
  } finally {
    await session.release();
  }
}
