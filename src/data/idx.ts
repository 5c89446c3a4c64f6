// The IDX file format (MNIST's): a 4-byte magic (0, 0, element type, dimension count), one
// big-endian uint32 per dimension, then the elements big-endian. Pure bytes in, bytes out.
import { failFile } from '../io/file-error.js';

export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  readonly type: IdxType;
  readonly shape: readonly number[];
  readonly data: IdxData;
}

const TYPE_CODES: Record<IdxType, number> = {
  uint8: 0x08,
  int8: 0x09,
  int16: 0x0b,
  int32: 0x0c,
  float32: 0x0d,
  float64: 0x0e,
};
const ELEMENT_BYTES: Record<IdxType, number> = { uint8: 1, int8: 1, int16: 2, int32: 4, float32: 4, float64: 8 };

/** The magic number of an IDX file of this type and rank: 2051 for MNIST images, 2049 for labels. */
export function idxMagic(type: IdxType, rank: number): number {
  return (TYPE_CODES[type] << 8) | rank;
}

/** The header alone: type, shape, and where the elements start. `file` names the source in errors. */
export function parseIdxHeader(
  bytes: Uint8Array,
  file: string,
): { type: IdxType; shape: number[]; dataOffset: number } {
  if (bytes.length < 4) failFile(file, `is ${bytes.length} bytes long, too short for an IDX header (4 bytes or more)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const type = (Object.keys(TYPE_CODES) as IdxType[]).find((name) => TYPE_CODES[name] === bytes[2]);
  if (bytes[0] !== 0 || bytes[1] !== 0 || type === undefined) {
    failFile(
      file,
      `has magic number ${magic} (0x${hex(magic)}), which is not an IDX file's (0x0000TTDD, TT a type code)`,
    );
  }
  const rank = bytes[3]!;
  const dataOffset = 4 + 4 * rank;
  if (bytes.length < dataOffset) {
    failFile(file, `is ${bytes.length} bytes long, too short for the ${rank} dimension sizes its header announces`);
  }
  const shape = Array.from({ length: rank }, (_, index) => view.getUint32(4 + 4 * index));
  return { type, shape, dataOffset };
}

/** Parses a whole IDX file, checking that its length matches its header exactly. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  const { type, shape, dataOffset } = parseIdxHeader(bytes, file);
  const count = shape.reduce((product, extent) => product * extent, 1);
  const expected = dataOffset + count * ELEMENT_BYTES[type];
  if (bytes.length !== expected) {
    const verdict = bytes.length < expected ? 'truncated' : 'has trailing bytes';
    failFile(
      file,
      `is ${bytes.length} bytes long but its header (${type}, shape [${shape.join(', ')}]) needs ${expected}: ${verdict}`,
    );
  }
  return { type, shape, data: readElements(bytes, dataOffset, type, count) };
}

/** Encodes an array as an IDX file. */
export function encodeIdx(array: IdxArray): Uint8Array {
  const { type, shape, data } = array;
  const count = shape.reduce((product, extent) => product * extent, 1);
  if (data.length !== count) throw new RangeError(`encodeIdx: data has ${data.length} elements, shape needs ${count}`);
  const dataOffset = 4 + 4 * shape.length;
  const bytes = new Uint8Array(dataOffset + count * ELEMENT_BYTES[type]);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, idxMagic(type, shape.length));
  shape.forEach((extent, index) => view.setUint32(4 + 4 * index, extent));
  const write = writers[type];
  for (let index = 0; index < count; index++) write(view, dataOffset + index * ELEMENT_BYTES[type], data[index]!);
  return bytes;
}

function readElements(bytes: Uint8Array, offset: number, type: IdxType, count: number): IdxData {
  if (type === 'uint8') return bytes.slice(offset, offset + count);
  if (type === 'int8') return new Int8Array(bytes.slice(offset, offset + count).buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * ELEMENT_BYTES[type]);
  const result = makeArray(type, count);
  const step = ELEMENT_BYTES[type];
  const read = readers[type];
  for (let index = 0; index < count; index++) result[index] = read(view, index * step);
  return result;
}

function makeArray(type: IdxType, count: number): IdxData {
  if (type === 'int16') return new Int16Array(count);
  if (type === 'int32') return new Int32Array(count);
  if (type === 'float32') return new Float32Array(count);
  return new Float64Array(count);
}

// IDX stores multi-byte elements big-endian.
const readers: Record<IdxType, (view: DataView, offset: number) => number> = {
  uint8: (view, offset) => view.getUint8(offset),
  int8: (view, offset) => view.getInt8(offset),
  int16: (view, offset) => view.getInt16(offset),
  int32: (view, offset) => view.getInt32(offset),
  float32: (view, offset) => view.getFloat32(offset),
  float64: (view, offset) => view.getFloat64(offset),
};
const writers: Record<IdxType, (view: DataView, offset: number, value: number) => void> = {
  uint8: (view, offset, value) => view.setUint8(offset, value),
  int8: (view, offset, value) => view.setInt8(offset, value),
  int16: (view, offset, value) => view.setInt16(offset, value),
  int32: (view, offset, value) => view.setInt32(offset, value),
  float32: (view, offset, value) => view.setFloat32(offset, value),
  float64: (view, offset, value) => view.setFloat64(offset, value),
};

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}
