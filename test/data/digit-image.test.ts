// Pictures of digits to MNIST inputs: dark-on-light pictures are inverted, the ink is fitted to
// 20x20 and centred by mass; an MNIST digit drawn large comes back close to itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { digitToMnist, whyNoDigit, type RgbaPicture } from '../../src/data/digit-image.js';
import { loadMnist } from '../../src/data/mnist-files.js';

/** An MNIST digit scaled up `scale` times (nearest), as dark ink on white or white ink on black. */
function enlarge(pixels: Float32Array, scale: number, darkOnLight: boolean): RgbaPicture {
  const side = 28 * scale;
  const rgba = new Uint8Array(side * side * 4);
  for (let pixel = 0; pixel < side * side; pixel++) {
    const source = Math.floor(pixel / side / scale) * 28 + Math.floor((pixel % side) / scale);
    const level = Math.round(255 * pixels[source]!);
    const shown = darkOnLight ? 255 - level : level;
    rgba.set([shown, shown, shown, 255], pixel * 4);
  }
  return { width: side, height: side, rgba };
}

function meanAbsoluteDifference(a: Float32Array, b: Float32Array): number {
  return a.reduce((total, value, index) => total + Math.abs(value - b[index]!), 0) / a.length;
}

function centreOfMass(pixels: Float32Array): [number, number] {
  let [mass, rows, columns] = [0, 0, 0];
  pixels.forEach((value, index) => {
    mass += value;
    rows += value * (Math.floor(index / 28) + 0.5);
    columns += value * ((index % 28) + 0.5);
  });
  return [rows / mass, columns / mass];
}

test('MNIST digits drawn 4x larger, dark on light, come back inverted and close to the original', async () => {
  const data = await loadMnist('test', { limit: 10 });
  for (let index = 0; index < data.count; index++) {
    const original = data.images.slice(index * 784, (index + 1) * 784);
    const { pixels, inverted } = digitToMnist(enlarge(original, 4, true));
    assert.equal(inverted, true);
    const difference = meanAbsoluteDifference(pixels, original);
    assert.ok(difference < 0.13, `digit ${index}: mean difference ${difference}`);
    const [row, column] = centreOfMass(pixels);
    assert.ok(Math.abs(row - 14) <= 1 && Math.abs(column - 14) <= 1, `digit ${index}: centre (${row}, ${column})`);
  }
});

test('white ink on black is not inverted; the ink box fits 20 pixels', () => {
  // a 60x30 white bar on black: wider than tall, so it becomes 20 wide and 10 high
  const width = 100;
  const height = 80;
  const rgba = new Uint8Array(width * height * 4);
  for (let pixel = 0; pixel < width * height; pixel++) {
    const [row, column] = [Math.floor(pixel / width), pixel % width];
    const ink = row >= 20 && row < 50 && column >= 10 && column < 70 ? 255 : 0;
    rgba.set([ink, ink, ink, 255], pixel * 4);
  }
  const { pixels, inverted } = digitToMnist({ width, height, rgba });
  assert.equal(inverted, false);
  const inkRows = new Set<number>();
  const inkColumns = new Set<number>();
  pixels.forEach((value, index) => {
    if (value > 0.5) {
      inkRows.add(Math.floor(index / 28));
      inkColumns.add(index % 28);
    }
  });
  assert.equal(inkColumns.size, 20);
  assert.equal(inkRows.size, 10);
  assert.deepEqual([Math.min(...inkColumns), Math.min(...inkRows)], [4, 9]);
});

test('a transparent picture with black strokes reads as dark ink on a white page', () => {
  const rgba = new Uint8Array(40 * 40 * 4); // all transparent black
  for (let row = 10; row < 30; row++) rgba.set([0, 0, 0, 255], (row * 40 + 20) * 4); // an opaque vertical line
  const { pixels, inverted } = digitToMnist({ width: 40, height: 40, rgba });
  assert.equal(inverted, true);
  assert.ok(pixels.reduce((total, value) => total + value, 0) > 10);
});

test('a blank picture gives an all-zero input', () => {
  const rgba = new Uint8Array(10 * 10 * 4).fill(255);
  assert.ok(digitToMnist({ width: 10, height: 10, rgba }).pixels.every((value) => value === 0));
});

/** A white page (dark-on-light convention) with `marks` painted at a grey level (0 = black). */
function page(side: number, marks: [number, number][], level = 0): RgbaPicture {
  const rgba = new Uint8Array(side * side * 4).fill(255);
  for (const [row, column] of marks) rgba.set([level, level, level, 255], (row * side + column) * 4);
  return { width: side, height: side, rgba };
}

test('blank, faint and speck-only pictures hold no digit; every MNIST test digit of the first 500 does', async () => {
  assert.equal(digitToMnist(page(100, [])).noDigit, 'it is blank');
  const stroke = Array.from({ length: 60 }, (_, row): [number, number] => [row + 20, 50]);
  assert.match(digitToMnist(page(100, stroke, 235)).noDigit ?? '', /nearly blank: its strongest mark is 8% ink/);
  assert.equal(digitToMnist(page(100, stroke, 180)).noDigit, null, 'a light-grey stroke of 29% ink is a digit');
  const speck: [number, number][] = [
    [40, 40],
    [40, 41],
    [41, 40],
  ];
  assert.match(digitToMnist(page(100, speck)).noDigit ?? '', /nearly blank: its only marks fit in 2x2 pixels/);
  assert.equal(digitToMnist(page(100, stroke)).noDigit, null, 'a "1" is a thin digit');
  const data = await loadMnist('test', { limit: 500 });
  for (let index = 0; index < data.count; index++) {
    const digit = data.images.subarray(index * 784, (index + 1) * 784);
    assert.equal(whyNoDigit(digit, 28, 28), null, `test digit ${index}`);
  }
  assert.equal(whyNoDigit(new Float32Array(784), 28, 28), 'it is blank');
});
