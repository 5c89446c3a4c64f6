// The weights blob and its manifest (round trip, every corruption rejected), CRC-32 against known
// values, and atomic writes that leave no partial file when interrupted.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { writeFileAtomic } from '../../src/io/atomic-write.js';
import { crc32 } from '../../src/io/checksum.js';
import { decodeWeights, encodeWeights, type NamedWeights } from '../../src/io/weights.js';

const folder = mkdtempSync(join(tmpdir(), 'poolkit-io-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const sample: NamedWeights[] = [
  { name: 'conv2d/kernel', shape: [3, 3, 1, 2], values: Float32Array.from({ length: 18 }, (_, i) => i / 7 - 1) },
  { name: 'conv2d/bias', shape: [2], values: Float32Array.from([0.5, -0]) },
  { name: 'dense/kernel', shape: [0, 4], values: new Float32Array(0) },
];

test('CRC-32 matches the published check value and zlib', async () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  const { crc32: zlibCrc } = await import('node:zlib');
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) % 256);
  if (typeof zlibCrc === 'function') assert.equal(crc32(bytes), zlibCrc(bytes));
  assert.equal(crc32(bytes.subarray(500), crc32(bytes.subarray(0, 500))), crc32(bytes));
});

test('weights: the blob is float32 little-endian back to back, and decodes to the same values', () => {
  const { manifest, bytes } = encodeWeights(sample);
  assert.equal(bytes.length, 80);
  assert.deepEqual(
    manifest.entries.map((entry) => [entry.name, entry.offset, entry.byteLength]),
    [
      ['conv2d/kernel', 0, 72],
      ['conv2d/bias', 72, 8],
      ['dense/kernel', 80, 0],
    ],
  );
  assert.equal(new DataView(bytes.buffer).getFloat32(72, true), 0.5); // little-endian on any host
  const decoded = decodeWeights(JSON.parse(JSON.stringify(manifest)), bytes, 'w.bin');
  assert.deepEqual(decoded, sample);
});

test('weights: random arrays round-trip bit for bit (NaN, infinities, -0 included)', () => {
  const arrayArbitrary = fc.float32Array({ maxLength: 40 });
  fc.assert(
    fc.property(fc.array(arrayArbitrary, { maxLength: 5 }), (arrays) => {
      const weights = arrays.map((values, index) => ({ name: `w${index}`, shape: [values.length], values }));
      const { manifest, bytes } = encodeWeights(weights);
      const decoded = decodeWeights(manifest, bytes, 'w.bin');
      decoded.forEach((item, index) => {
        assert.deepEqual(new Uint8Array(item.values.buffer), new Uint8Array(arrays[index]!.slice().buffer));
      });
    }),
    { numRuns: 100 },
  );
});

const { manifest: goodManifest, bytes: goodBytes } = encodeWeights(sample);
const corruptions: [string, () => [unknown, Uint8Array], RegExp][] = [
  ['a truncated blob', () => [goodManifest, goodBytes.slice(0, 50)], /50 bytes long, the manifest says 80: truncated/],
  ['a longer blob', () => [goodManifest, Uint8Array.from([...goodBytes, 1])], /longer than its manifest says/],
  [
    'a flipped bit',
    () => {
      const bytes = goodBytes.slice();
      bytes[13]! ^= 0x10;
      return [goodManifest, bytes];
    },
    /is corrupt: its checksum is crc32:[0-9a-f]{8}, the manifest says/,
  ],
  ['a missing manifest', () => [undefined, goodBytes], /manifest\): is missing/],
  ['a wrong dtype', () => [{ ...goodManifest, dtype: 'float16' }, goodBytes], /dtype must be 'float32'/],
  ['a bad checksum field', () => [{ ...goodManifest, checksum: 'md5:00' }, goodBytes], /checksum must read/],
  [
    'a shape that does not fit its bytes',
    () => [editEntry(0, { shape: [3, 3, 1, 3] }), goodBytes],
    /'conv2d\/kernel': byteLength 72 does not fit shape \[3, 3, 1, 3\]/,
  ],
  ['overlapping offsets', () => [editEntry(1, { offset: 64 }), goodBytes], /offset 64 should be 72/],
  ['a duplicate name', () => [editEntry(1, { name: 'conv2d/kernel', shape: [2] }), goodBytes], /twice/],
  ['a byteLength that disagrees', () => [{ ...goodManifest, byteLength: 84 }, goodBytes], /entries cover 80 bytes/],
];

function editEntry(index: number, change: object): unknown {
  const entries = goodManifest.entries.map((entry, at) => (at === index ? { ...entry, ...change } : entry));
  return { ...goodManifest, entries };
}

for (const [name, make, message] of corruptions) {
  test(`weights: ${name} is rejected with a clear error naming the file`, () => {
    const [manifest, bytes] = make();
    assert.throws(
      () => decodeWeights(manifest, bytes, 'model/weights.bin'),
      (error: Error) => {
        assert.match(error.message, /^model\/weights\.bin/);
        assert.match(error.message, message);
        return true;
      },
    );
  });
}

test('atomic write: creates folders, replaces content, leaves no temporary file', async () => {
  const target = join(folder, 'deep', 'er', 'file.json');
  await writeFileAtomic(target, 'first');
  await writeFileAtomic(target, new TextEncoder().encode('second'));
  await writeFileAtomic(target, [Uint8Array.from([116]), Uint8Array.from([104, 105, 114, 100])]);
  assert.equal(readFileSync(target, 'utf8'), 'third');
  assert.deepEqual(readdirSync(join(folder, 'deep', 'er')), ['file.json']);
});

test('atomic write: a failure mid-write keeps the old file whole and removes the partial one', async () => {
  const target = join(folder, 'interrupted', 'weights.bin');
  mkdirSync(join(folder, 'interrupted'));
  writeFileSync(target, 'the user file');
  function* failingChunks(): Generator<Uint8Array> {
    yield new Uint8Array(4096).fill(1); // some bytes reach the temporary file
    throw new Error('simulated crash before rename');
  }
  await assert.rejects(writeFileAtomic(target, failingChunks()), /simulated crash before rename/);
  assert.equal(readFileSync(target, 'utf8'), 'the user file');
  assert.deepEqual(readdirSync(join(folder, 'interrupted')), ['weights.bin']);
});

test('atomic write: a failing rename (target is a folder) leaves the folder and no temporary file', async () => {
  const target = join(folder, 'occupied');
  mkdirSync(join(target, 'inside'), { recursive: true });
  await assert.rejects(writeFileAtomic(target, 'data'), /EISDIR|ENOTEMPTY|EEXIST|EPERM/);
  assert.ok(existsSync(join(target, 'inside')));
  assert.deepEqual(
    readdirSync(folder).filter((name) => name.endsWith('.tmp')),
    [],
  );
});
