// A one-file container for a JSON header and named float32 arrays: what a checkpoint is, so that
// one atomic rename replaces all of it at once. Layout: 8-byte magic, uint32 LE header length,
// the header as UTF-8 JSON (with the weights manifest inside), zero padding to 4 bytes, the blob.
import { failFile } from './file-error.js';
import { decodeWeights, encodeWeights, type NamedWeights } from './weights.js';

const MAGIC = 'PKBUNDL1';
const PREFIX_BYTES = 12;

/** Header and arrays → bytes; the header gains `weights` (the manifest). */
export function encodeBundle(header: Record<string, unknown>, weights: readonly NamedWeights[]): Uint8Array[] {
  const { manifest, bytes } = encodeWeights(weights);
  const json = new TextEncoder().encode(JSON.stringify({ ...header, weights: manifest }));
  const padding = (4 - ((PREFIX_BYTES + json.length) % 4)) % 4;
  const prefix = new Uint8Array(PREFIX_BYTES + json.length + padding);
  prefix.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(prefix.buffer).setUint32(8, json.length, true);
  prefix.set(json, PREFIX_BYTES);
  return [prefix, bytes];
}

/** Bytes → header and arrays, checking the magic, the lengths, the JSON and the checksum. */
export function decodeBundle(
  bytes: Uint8Array,
  file: string,
): { header: Record<string, unknown>; weights: NamedWeights[] } {
  if (bytes.length < PREFIX_BYTES) failFile(file, `is ${bytes.length} bytes long, too short to be a poolkit file`);
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== MAGIC)
    failFile(file, `does not start with '${MAGIC}' (got ${JSON.stringify(magic)}): not a poolkit checkpoint`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset + 8, 4).getUint32(0, true);
  if (PREFIX_BYTES + headerLength > bytes.length) {
    failFile(file, `is truncated: its header needs ${headerLength} bytes, only ${bytes.length - PREFIX_BYTES} remain`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength)),
    );
  } catch (error) {
    failFile(file, `has a header that is not valid JSON (${(error as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header))
    failFile(file, 'has a header that is not an object');
  const blobStart = PREFIX_BYTES + headerLength + ((4 - ((PREFIX_BYTES + headerLength) % 4)) % 4);
  const weights = decodeWeights(header.weights, bytes.subarray(Math.min(blobStart, bytes.length)), file);
  return { header, weights };
}
