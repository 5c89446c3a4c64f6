// A hand-written ONNX protobuf encoder for one pooling node (MaxPool, AveragePool, LpPool), so the
// benchmark can run ONNX Runtime with no Python and no model files: ModelProto → GraphProto →
// NodeProto, with the field numbers of onnx/onnx.proto (opset 18).

/** Protobuf wire writer: varints and length-delimited fields, as the .proto above numbers them. */
class Writer {
  private readonly bytes: number[] = [];

  varint(field: number, value: number): this {
    this.key(field, 0);
    this.raw(value);
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

  float(field: number, value: number): this {
    this.key(field, 5);
    const buffer = new DataView(new ArrayBuffer(4));
    buffer.setFloat32(0, value, true);
    for (let index = 0; index < 4; index++) this.bytes.push(buffer.getUint8(index));
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }

  private key(field: number, wireType: number): void {
    this.raw(field * 8 + wireType);
  }

  private raw(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.bytes.push((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.bytes.push(rest);
  }
}

const FLOAT_TYPE = 1; // TensorProto.DataType.FLOAT
const ATTRIBUTE_FLOAT = 1;
const ATTRIBUTE_INT = 2;
const ATTRIBUTE_STRING = 3;
const ATTRIBUTE_INTS = 7;

type Attribute = number | string | readonly number[];

function attribute(name: string, value: Attribute, isFloat = false): Uint8Array {
  const writer = new Writer().text(1, name);
  if (typeof value === 'string')
    return writer.message(4, new TextEncoder().encode(value)).varint(20, ATTRIBUTE_STRING).finish();
  if (typeof value === 'number' && isFloat) return writer.float(2, value).varint(20, ATTRIBUTE_FLOAT).finish();
  if (typeof value === 'number') return writer.varint(3, value).varint(20, ATTRIBUTE_INT).finish();
  for (const item of value) writer.varint(8, item);
  return writer.varint(20, ATTRIBUTE_INTS).finish();
}

function valueInfo(name: string, shape: readonly number[]): Uint8Array {
  const dims = new Writer();
  for (const size of shape) dims.message(1, new Writer().varint(1, size).finish());
  const tensorType = new Writer().varint(1, FLOAT_TYPE).message(2, dims.finish()).finish();
  const type = new Writer().message(1, tensorType).finish();
  return new Writer().text(1, name).message(2, type).finish();
}

export interface OnnxPoolSpec {
  readonly op: 'MaxPool' | 'AveragePool' | 'LpPool';
  /** NCHW: ONNX pooling is channels-first. */
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly kernel: number;
  readonly stride: number;
  /** 'VALID' or TensorFlow's SAME (extra padding after: SAME_UPPER). */
  readonly autoPad: 'VALID' | 'SAME_UPPER';
  /** LpPool's p. */
  readonly p?: number;
}

/** The serialized ModelProto of one pooling node from input 'x' to output 'y'. */
export function onnxPoolModel(spec: OnnxPoolSpec): Uint8Array {
  const node = new Writer()
    .text(1, 'x')
    .text(2, 'y')
    .text(3, 'pool')
    .text(4, spec.op)
    .message(5, attribute('kernel_shape', [spec.kernel, spec.kernel]))
    .message(5, attribute('strides', [spec.stride, spec.stride]))
    .message(5, attribute('auto_pad', spec.autoPad));
  if (spec.op === 'LpPool') node.message(5, attribute('p', spec.p ?? 2));
  const graph = new Writer()
    .message(1, node.finish())
    .text(2, 'pooling')
    .message(11, valueInfo('x', spec.inputShape))
    .message(12, valueInfo('y', spec.outputShape))
    .finish();
  const opset = new Writer().text(1, '').varint(2, 18).finish();
  return new Writer().varint(1, 8).text(2, 'poolkit-bench').message(7, graph).message(8, opset).finish();
}
