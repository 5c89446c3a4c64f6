// A one-file container for a JSON header and named float32 arrays: what a checkpoint is, so that
// one atomic rename replaces all of it at once. Layout: 8-byte magic 'PKBUNDL2', uint32 LE header
// length, uint32 LE file length, the header as UTF-8 JSON (with the weights manifest inside), zero
// padding to 4 bytes, the blob, then the CRC-32 (uint32 LE) of every byte before it, header included.
import { crc32, formatCrc } from './checksum.js';
import { failFile } from './file-error.js';
import {
  MAX_WEIGHTS_BYTES,
  checkManifest,
  checkBlobLength,
  unpackWeights,
  encodeWeights,
  type NamedWeights,
} from './weights.js';

const MAGIC = 'PKBUNDL2';
/** The first format, whose header no checksum covered: recognised only to say why it is refused. */
const OLD_MAGIC = 'PKBUNDL1';
const PREFIX_BYTES = 16;
const CHECKSUM_BYTES = 4;
/** The longest header poolkit reads: 64 MiB of JSON. */
const MAX_HEADER_BYTES = 64 * 2 ** 20;

/** Header and arrays → bytes (in chunks, so the blob is not copied); the header gains `weights` (the manifest). */
export function encodeBundle(header: Record<string, unknown>, weights: readonly NamedWeights[]): Uint8Array[] {
  const { manifest, bytes } = encodeWeights(weights);
  const json = new TextEncoder().encode(JSON.stringify({ ...header, weights: manifest }));
  const prefix = new Uint8Array(paddedEnd(json.length));
  const fileLength = prefix.length + bytes.length + CHECKSUM_BYTES;
  if (fileLength > MAX_WEIGHTS_BYTES) throw new RangeError(`encodeBundle: ${fileLength} bytes is over the limit`);
  prefix.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(prefix.buffer);
  view.setUint32(8, json.length, true);
  view.setUint32(12, fileLength, true);
  prefix.set(json, PREFIX_BYTES);
  const checksum = new Uint8Array(CHECKSUM_BYTES);
  new DataView(checksum.buffer).setUint32(0, crc32(bytes, crc32(prefix)), true);
  return [prefix, bytes, checksum];
}

/** Bytes → header and arrays, checking the magic, the lengths and the checksum before reading the JSON. */
export function decodeBundle(
  bytes: Uint8Array,
  file: string,
): { header: Record<string, unknown>; weights: NamedWeights[] } {
  const headerLength = checkFrame(bytes, file);
  const header = parseHeader(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength), file);
  const manifest = checkManifest(header.weights, file);
  const blob = bytes.subarray(paddedEnd(headerLength), bytes.length - CHECKSUM_BYTES);
  checkBlobLength(manifest, blob.length, file);
  return { header, weights: unpackWeights(manifest, blob) };
}

/** Magic, lengths and the whole-file checksum; returns the header's length. */
function checkFrame(bytes: Uint8Array, file: string): number {
  if (bytes.length < PREFIX_BYTES + CHECKSUM_BYTES)
    failFile(file, `is ${bytes.length} bytes long, too short to be a poolkit checkpoint`);
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic === OLD_MAGIC) {
    failFile(
      file,
      `is in an older poolkit checkpoint format (${OLD_MAGIC}), whose header no checksum covers; this poolkit reads only ${MAGIC}: start a new run`,
    );
  }
  if (magic !== MAGIC)
    failFile(file, `does not start with '${MAGIC}' (got ${JSON.stringify(magic)}): not a poolkit checkpoint`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(8, true);
  const fileLength = view.getUint32(12, true);
  if (bytes.length !== fileLength) {
    const verdict = bytes.length < fileLength ? 'truncated' : 'longer than its header says';
    failFile(file, `is ${bytes.length} bytes long, its header says ${fileLength}: ${verdict}`);
  }
  const end = bytes.length - CHECKSUM_BYTES;
  const stored = view.getUint32(end, true);
  const actual = crc32(bytes.subarray(0, end));
  if (stored !== actual) {
    failFile(
      file,
      `is corrupt: its checksum is ${formatCrc(actual)}, the file says ${formatCrc(stored)} (edited or damaged)`,
    );
  }
  if (headerLength > MAX_HEADER_BYTES || paddedEnd(headerLength) > end)
    failFile(file, `has a header length (${headerLength} bytes) that does not fit the file`);
  return headerLength;
}

function parseHeader(bytes: Uint8Array, file: string): Record<string, unknown> {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    failFile(file, `has a header that is not valid JSON (${(error as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header))
    failFile(file, 'has a header that is not an object');
  return header as Record<string, unknown>;
}

/** Where the blob starts after a header of `headerLength` bytes: aligned to 4 for float32 reads. */
function paddedEnd(headerLength: number): number {
  return PREFIX_BYTES + headerLength + ((4 - (headerLength % 4)) % 4);
}
