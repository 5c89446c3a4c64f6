// The MNIST test digits the page ships (web/public/digits.json, made by web/scripts/make-digits.mjs):
// loading, decoding to 0..1 grey, and a row of thumbnail buttons to pick one.
import { element } from './dom.js';
import type { Image } from './pooling-run.js';

export interface DigitFile {
  readonly height: number;
  readonly width: number;
  readonly digits: readonly { label: number; index: number; rows: readonly string[] }[];
}

/** MNIST pixels 0..255 become 0..1, as the seed CNN sees them. */
export function digitImage(file: DigitFile, position: number): Image {
  const values = new Float32Array(file.height * file.width);
  file.digits[position]!.rows.forEach((hex, row) => {
    for (let column = 0; column < file.width; column++) {
      values[row * file.width + column] = parseInt(hex.slice(column * 2, column * 2 + 2), 16) / 255;
    }
  });
  return { values, rows: file.height, columns: file.width };
}

export async function loadDigits(url: string): Promise<DigitFile> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`digits: ${url} answered ${response.status}`);
  return (await response.json()) as DigitFile;
}

function thumbnail(image: Image): HTMLCanvasElement {
  const canvas = element('canvas', { width: image.columns, height: image.rows, class: 'thumbnail' });
  const context = canvas.getContext('2d')!;
  const pixels = context.createImageData(image.columns, image.rows);
  image.values.forEach((value, index) => {
    pixels.data.set([value * 255, value * 255, value * 255, 255], index * 4);
  });
  context.putImageData(pixels, 0, 0);
  return canvas;
}

/** One thumbnail button per digit; `pick` gets the digit's position in the file. */
export function digitButtons(file: DigitFile, pick: (position: number) => void): HTMLButtonElement[] {
  return file.digits.map((digit, position) => {
    const button = element('button', {
      class: 'digit',
      title: `MNIST test image #${digit.index}, a ${digit.label}`,
      'data-digit': digit.label,
    });
    button.append(thumbnail(digitImage(file, position)));
    button.addEventListener('click', () => pick(position));
    return button;
  });
}
