// Reading the digit `poolkit predict` classifies: a PNG made MNIST-like (grayscale, inverted if dark
// on light, fitted to 20x20 and centred) or one sample of an IDX image file, and a text picture of it.
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { digitToMnist, parseIdx, parseMnistLabels, whyNoDigit } from '../src/index.js';
import { UsageError } from './args.js';

export interface Digit {
  readonly pixels: Float32Array;
  readonly description: string;
  readonly label: number | null;
  /** Why the image holds no digit to classify (blank, too faint, a speck); null when it holds one. */
  readonly noDigit: string | null;
}

/** A PNG, made MNIST-like. */
export function fromPng(path: string, bytes: Uint8Array): Digit {
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes));
  } catch (error) {
    throw new Error(`${path}: is not a readable PNG (${(error as Error).message})`);
  }
  const picture = { width: png.width, height: png.height, rgba: new Uint8Array(png.data) };
  const { pixels, inverted, noDigit } = digitToMnist(picture);
  const how = inverted ? 'dark on light, inverted' : 'light on dark';
  const description = `${path} (${png.width}x${png.height} PNG, ${how}, fitted to 28x28)`;
  return { pixels, description, label: null, noDigit };
}

/** Sample `index` of an IDX file of 28x28 uint8 images, with its label when MNIST's label file lies beside it. */
export function fromIdx(path: string, bytes: Uint8Array, index: number): Digit {
  const { type, shape, data } = parseIdx(bytes, path);
  if (type !== 'uint8' || shape.length !== 3 || shape[1] !== 28 || shape[2] !== 28) {
    throw new Error(`${path}: must hold uint8 images of 28x28 (an idx3-ubyte file), got ${type} [${shape.join(', ')}]`);
  }
  if (index >= shape[0]!)
    throw new UsageError('predict', `--index must be below ${shape[0]}, the file's sample count, got ${index}`);
  const pixels = Float32Array.from(data.subarray(index * 784, (index + 1) * 784), (value) => value / 255);
  return {
    pixels,
    description: `${path}, sample ${index}`,
    label: labelBeside(path, index),
    noDigit: whyNoDigit(pixels, 28, 28),
  };
}

function labelBeside(path: string, index: number): number | null {
  const labelPath = path.replace('images-idx3', 'labels-idx1');
  if (labelPath === path) return null;
  try {
    return parseMnistLabels(new Uint8Array(readFileSync(labelPath)), labelPath)[index] ?? null;
  } catch {
    return null; // no label file, or not MNIST's: the prediction stands alone
  }
}

/** The 28x28 input as text, so the user sees what the model saw. */
export function asciiDigit(pixels: Float32Array): string {
  const shades = ' .:-=+*#%@';
  const rows: string[] = [];
  for (let row = 0; row < 28; row++) {
    const cells = Array.from(
      pixels.subarray(row * 28, row * 28 + 28),
      (value) => shades[Math.min(9, Math.floor(value * 10))],
    );
    rows.push(`  |${cells.join('')}|`);
  }
  return rows.join('\n');
}
