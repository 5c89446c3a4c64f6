// ONNX bytes → a checked, plain view of the model (nodes, attributes, constant tensors, inputs and
// outputs), decoded with onnx-proto. Nothing in the file is trusted: a decoding failure, a missing
// graph, 64-bit integers past 2^53, dims that disagree with the data, data kept outside the file,
// all end in an error that names the file, before any tensor is made.
import { failFile } from '../../io/file-error.js';
import { MAX_ALLOCATION_BYTES } from '../../tensor/heap.js';
import { ONNX_FLOAT, ONNX_INT32, ONNX_INT64 } from './graph.js';
import { ATTRIBUTE, EXTERNAL_DATA, onnxMessages, type onnxProto } from './proto.js';

type Integer = number | { toNumber(): number; high: number; low: number; unsigned: boolean };

/** ONNX's DOUBLE element type, read into float32 where a model keeps weights in float64. */
const ONNX_DOUBLE = 11;

export interface DecodedTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly type: number;
  /** float32 values for FLOAT and DOUBLE; whole numbers for INT32 and INT64. */
  readonly values: Float32Array | readonly number[];
}

export type DecodedAttribute =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'tensor'; readonly value: DecodedTensor }
  | { readonly kind: 'other' };

export interface DecodedNode {
  readonly opType: string;
  readonly domain: string;
  /** The node's name, or its first output's when it has none. */
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, DecodedAttribute>;
}

export interface DecodedValue {
  readonly name: string;
  readonly type: number;
  /** Extents; null where the file names a dynamic one or gives none. */
  readonly shape: readonly (number | null)[] | null;
}

export interface DecodedModel {
  /** The default domain's opset version. */
  readonly opset: number;
  readonly name: string;
  readonly nodes: readonly DecodedNode[];
  readonly initializers: ReadonlyMap<string, DecodedTensor>;
  readonly inputs: readonly DecodedValue[];
  readonly outputs: readonly DecodedValue[];
}

/** A protobuf 64-bit integer as a number; past ±2^53 it cannot be exact, and is refused. */
export function integerOf(value: Integer | null | undefined, file: string, what: string): number {
  const number = typeof value === 'number' ? value : (value?.toNumber() ?? 0);
  if (!Number.isSafeInteger(number))
    failFile(file, `${what} is ${String(number)}, past the integers poolkit reads exactly`);
  return number;
}

function decodeTensor(tensor: onnxProto.onnx.ITensorProto, file: string): DecodedTensor {
  const name = tensor.name ?? '';
  const what = `tensor '${name}'`;
  if (tensor.dataLocation === EXTERNAL_DATA)
    failFile(file, `keeps ${what} in an external file; poolkit reads models whose weights are inside the .onnx file`);
  const dims = (tensor.dims ?? []).map((dim) => integerOf(dim, file, `a dim of ${what}`));
  if (dims.some((dim) => dim < 0)) failFile(file, `gives ${what} a negative dim [${dims.join(', ')}]`);
  const count = dims.reduce((total, dim) => total * dim, 1);
  if (count * 4 > MAX_ALLOCATION_BYTES) failFile(file, `gives ${what} dims [${dims.join(', ')}], too large for memory`);
  const type = tensor.dataType ?? 0;
  const values = tensorValues(tensor, type, file, what);
  if (values.length !== count)
    failFile(file, `gives ${what} dims [${dims.join(', ')}] (${count} values) but ${values.length} values`);
  return { name, dims, type, values };
}

function tensorValues(tensor: onnxProto.onnx.ITensorProto, type: number, file: string, what: string) {
  const raw = tensor.rawData && tensor.rawData.length > 0 ? tensor.rawData : null;
  const view = raw && new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const width = { [ONNX_FLOAT]: 4, [ONNX_DOUBLE]: 8, [ONNX_INT32]: 4, [ONNX_INT64]: 8 }[type];
  if (width === undefined)
    failFile(file, `holds ${what} of element type ${type}; poolkit reads float, double, int32 and int64 tensors`);
  if (view && raw!.length % width !== 0)
    failFile(file, `holds ${what} with ${raw!.length} bytes of data, not a whole number of elements`);
  const length = view ? raw!.length / width : 0;
  if (type === ONNX_FLOAT || type === ONNX_DOUBLE) {
    if (!view) return Float32Array.from(type === ONNX_FLOAT ? (tensor.floatData ?? []) : (tensor.doubleData ?? []));
    const read = (index: number) =>
      type === ONNX_FLOAT ? view.getFloat32(index * 4, true) : view.getFloat64(index * 8, true);
    return Float32Array.from({ length }, (_, index) => read(index));
  }
  if (!view) {
    const listed = type === ONNX_INT32 ? (tensor.int32Data ?? []) : (tensor.int64Data ?? []);
    return listed.map((item) => integerOf(item as Integer, file, `a value of ${what}`));
  }
  if (type === ONNX_INT32) return Array.from({ length }, (_, index) => view.getInt32(index * 4, true));
  return Array.from({ length }, (_, index) =>
    integerOf(Number(view.getBigInt64(index * 8, true)), file, `a value of ${what}`),
  );
}

function decodeAttribute(attribute: onnxProto.onnx.IAttributeProto, file: string): DecodedAttribute {
  const types = ATTRIBUTE;
  const what = `attribute '${attribute.name ?? ''}'`;
  switch (attribute.type) {
    case types.INT:
      return { kind: 'int', value: integerOf(attribute.i, file, what) };
    case types.INTS:
      return { kind: 'ints', value: (attribute.ints ?? []).map((item) => integerOf(item, file, what)) };
    case types.FLOAT:
      return { kind: 'float', value: attribute.f ?? 0 };
    case types.FLOATS:
      return { kind: 'floats', value: [...(attribute.floats ?? [])] };
    case types.STRING:
      return { kind: 'string', value: new TextDecoder().decode(attribute.s ?? new Uint8Array()) };
    case types.TENSOR:
      return { kind: 'tensor', value: decodeTensor(attribute.t ?? {}, file) };
    default:
      return { kind: 'other' };
  }
}

function decodeValue(info: onnxProto.onnx.IValueInfoProto, file: string): DecodedValue {
  const tensorType = info.type?.tensorType;
  const dims = tensorType?.shape?.dim;
  const shape = dims
    ? dims.map((dim) =>
        // A decoded message owns the fields the file sets; the prototype holds defaults (dimValue 0).
        Object.hasOwn(dim, 'dimValue') ? integerOf(dim.dimValue, file, `an extent of '${info.name}'`) : null,
      )
    : null;
  return { name: info.name ?? '', type: tensorType?.elemType ?? 0, shape };
}

/** The bytes as a ModelProto, or an error saying why they are not one; `file` names them. */
function parseModel(bytes: Uint8Array, file: string): onnxProto.onnx.ModelProto {
  const messages = onnxMessages('modelFromOnnx');
  let model: onnxProto.onnx.ModelProto;
  try {
    model = messages.ModelProto.decode(bytes);
  } catch (error) {
    failFile(file, `is not an ONNX model: its bytes do not decode as one (${(error as Error).message})`);
  }
  const irVersion = integerOf(model.irVersion as Integer, file, 'ir_version');
  if (irVersion < 3 || irVersion > 12 || !model.graph)
    failFile(
      file,
      `is not an ONNX model poolkit reads: ir_version ${irVersion}${model.graph ? '' : ', no graph'} (ONNX files have ir_version 3 to 12 and a graph)`,
    );
  return model;
}

/** Decodes and checks an ONNX model; `file` names the bytes in errors. */
export function decodeOnnx(bytes: Uint8Array, file: string): DecodedModel {
  const model = parseModel(bytes, file);
  const graph = model.graph!;
  const opsetEntry = (model.opsetImport ?? []).find((entry) => !entry.domain || entry.domain === 'ai.onnx');
  const opset = integerOf((opsetEntry?.version ?? 1) as Integer, file, 'the opset version');
  const nodes = (graph.node ?? []).map((node, index) => {
    const outputs = [...(node.output ?? [])];
    const attributes = new Map((node.attribute ?? []).map((item) => [item.name ?? '', decodeAttribute(item, file)]));
    const name = node.name || outputs[0] || `node ${index}`;
    return {
      opType: node.opType ?? '',
      domain: node.domain ?? '',
      name,
      inputs: [...(node.input ?? [])],
      outputs,
      attributes,
    };
  });
  const initializers = new Map(
    (graph.initializer ?? []).map((tensor) => [tensor.name ?? '', decodeTensor(tensor, file)]),
  );
  return {
    opset,
    name: graph.name ?? '',
    nodes,
    initializers,
    inputs: (graph.input ?? []).map((info) => decodeValue(info, file)),
    outputs: (graph.output ?? []).map((info) => decodeValue(info, file)),
  };
}
