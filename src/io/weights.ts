// Named float32 arrays ⇄ one little-endian binary blob plus a manifest (names, shapes, offsets,
// byte length, checksum). Pure bytes, so Node and browsers share it; decoding trusts nothing.
import { formatChecksum } from './checksum.js';
import { failFile } from './file-error.js';

/** The most bytes one weights blob may hold: 2 GiB less a byte (Node's limit for one read). */
export const MAX_WEIGHTS_BYTES = 2 ** 31 - 1;
/** The largest extent of one axis, as the tensor heap bounds it. */
const MAX_EXTENT = 2 ** 31 - 1;

export interface NamedWeights {
  /** '<layer name>/<weight name>', as Keras names weights: 'conv2d/kernel'. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

export interface WeightEntry {
  readonly name: string;
  readonly shape: readonly number[];
  /** Byte offset of the first element in the blob. */
  readonly offset: number;
  readonly byteLength: number;
}

export interface WeightsManifest {
  readonly dtype: 'float32';
  readonly byteOrder: 'little-endian';
  readonly byteLength: number;
  /** 'crc32:' and eight hex digits, over the whole blob. */
  readonly checksum: string;
  readonly entries: readonly WeightEntry[];
}

/** Packs the arrays back to back into one blob and describes where each one lies. */
export function encodeWeights(weights: readonly NamedWeights[]): { manifest: WeightsManifest; bytes: Uint8Array } {
  const entries: WeightEntry[] = [];
  let offset = 0;
  for (const { name, shape, values } of weights) {
    entries.push({ name, shape: [...shape], offset, byteLength: values.length * 4 });
    offset += values.length * 4;
  }
  const bytes = new Uint8Array(offset);
  weights.forEach(({ values }, index) => writeLittleEndian(values, bytes, entries[index]!.offset));
  const manifest: WeightsManifest = {
    dtype: 'float32',
    byteOrder: 'little-endian',
    byteLength: bytes.length,
    checksum: formatChecksum(bytes),
    entries,
  };
  return { manifest, bytes };
}

/** Checks the manifest against itself and against the blob, then unpacks; `file` names the blob. */
export function decodeWeights(manifest: unknown, bytes: Uint8Array, file: string): NamedWeights[] {
  const checked = checkManifest(manifest, file);
  checkBlob(checked, bytes, file);
  return unpackWeights(checked, bytes);
}

/** The blob's length and checksum against a checked manifest; `file` names the blob. */
export function checkBlob(manifest: WeightsManifest, bytes: Uint8Array, file: string): void {
  checkBlobLength(manifest, bytes.length, file);
  const checksum = formatChecksum(bytes);
  if (checksum !== manifest.checksum) {
    failFile(file, `is corrupt: its checksum is ${checksum}, the manifest says ${manifest.checksum}`);
  }
}

/** A blob's length against the manifest: callable on a file's size before reading it. */
export function checkBlobLength(manifest: WeightsManifest, length: number, file: string): void {
  if (length !== manifest.byteLength) {
    const verdict = length < manifest.byteLength ? 'truncated' : 'longer than its manifest says';
    failFile(file, `is ${length} bytes long, the manifest says ${manifest.byteLength}: ${verdict}`);
  }
}

/** The arrays of a blob already checked against its manifest. */
export function unpackWeights(manifest: WeightsManifest, bytes: Uint8Array): NamedWeights[] {
  return manifest.entries.map(({ name, shape, offset, byteLength }) => {
    const values = new Float32Array(byteLength / 4);
    readLittleEndian(bytes.subarray(offset, offset + byteLength), values);
    return { name, shape, values };
  });
}

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Float32 values into bytes at `offset`, little-endian: a plain copy on little-endian hosts. */
function writeLittleEndian(values: Float32Array, bytes: Uint8Array, offset: number): void {
  if (HOST_IS_LITTLE_ENDIAN) {
    bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), offset);
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  for (let element = 0; element < values.length; element++)
    view.setFloat32(offset + element * 4, values[element]!, true);
}

/** Little-endian bytes into float32 values (which may be unaligned in the file's buffer). */
function readLittleEndian(bytes: Uint8Array, values: Float32Array): void {
  if (HOST_IS_LITTLE_ENDIAN) {
    new Uint8Array(values.buffer, values.byteOffset, values.byteLength).set(bytes);
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let element = 0; element < values.length; element++) values[element] = view.getFloat32(element * 4, true);
}

/** Checks a manifest against itself (types, offsets back to back, sizes within limits); `file` names the blob. */
export function checkManifest(manifest: unknown, file: string): WeightsManifest {
  const where = `${file} (manifest)`;
  if (manifest === null || typeof manifest !== 'object') failFile(where, 'is missing or not an object');
  const { dtype, byteOrder, byteLength, checksum, entries } = manifest as Record<string, unknown>;
  if (dtype !== 'float32') failFile(where, `dtype must be 'float32', got ${String(dtype)}`);
  if (byteOrder !== 'little-endian') failFile(where, `byteOrder must be 'little-endian', got ${String(byteOrder)}`);
  if (!isCount(byteLength)) failFile(where, `byteLength must be a non-negative integer, got ${String(byteLength)}`);
  if (byteLength > MAX_WEIGHTS_BYTES)
    failFile(where, `byteLength ${byteLength} is over the limit of ${MAX_WEIGHTS_BYTES} bytes poolkit reads`);
  if (typeof checksum !== 'string' || !/^crc32:[0-9a-f]{8}$/.test(checksum)) {
    failFile(where, `checksum must read 'crc32:' and 8 hex digits, got ${String(checksum)}`);
  }
  if (!Array.isArray(entries)) failFile(where, 'entries must be an array');
  let expectedOffset = 0;
  const names = new Set<string>();
  for (const entry of entries as unknown[]) {
    const checkedEntry = checkEntry(entry, where, expectedOffset);
    if (names.has(checkedEntry.name)) failFile(where, `names weight '${checkedEntry.name}' twice`);
    names.add(checkedEntry.name);
    expectedOffset += checkedEntry.byteLength;
  }
  if (expectedOffset !== byteLength)
    failFile(where, `entries cover ${expectedOffset} bytes but byteLength is ${byteLength}`);
  return manifest as WeightsManifest;
}

function checkEntry(entry: unknown, where: string, expectedOffset: number): WeightEntry {
  if (entry === null || typeof entry !== 'object') failFile(where, 'has an entry that is not an object');
  const { name, shape, offset, byteLength } = entry as Record<string, unknown>;
  if (typeof name !== 'string' || name === '') failFile(where, 'has an entry without a name');
  if (!Array.isArray(shape) || !shape.every((extent) => isCount(extent) && extent <= MAX_EXTENT)) {
    failFile(where, `weight '${name}': shape must be an array of integers from 0 to ${MAX_EXTENT}`);
  }
  const elements = (shape as number[]).reduce((product, extent) => product * extent, 1);
  if (byteLength !== elements * 4) {
    failFile(where, `weight '${name}': byteLength ${String(byteLength)} does not fit shape [${shape.join(', ')}]`);
  }
  if (offset !== expectedOffset) {
    failFile(
      where,
      `weight '${name}': offset ${String(offset)} should be ${expectedOffset} (weights lie back to back)`,
    );
  }
  return entry as WeightEntry;
}

function isCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}
