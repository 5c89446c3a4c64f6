// MNIST from its IDX bytes: checks that the image and label files are what MNIST's are (magic
// numbers 2051 and 2049, 28x28 images, labels 0..9, matching counts), scales pixels to [0, 1].
import { failFile } from '../io/file-error.js';
import { Tensor } from '../tensor/tensor.js';
import { parseIdx } from './idx.js';

/** Images NHWC float32 in [0, 1] and their class indices: what training and evaluation read. */
export interface LabeledImages {
  /** [count, height, width, channels], row-major. */
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

export const MNIST_IMAGE_MAGIC = 2051;
export const MNIST_LABEL_MAGIC = 2049;
const SIDE = 28;
const CLASSES = 10;

/** MNIST images (IDX, uint8 [n, 28, 28]) as bytes; `file` names the source in errors. */
export function parseMnistImages(bytes: Uint8Array, file: string): { pixels: Uint8Array; count: number } {
  checkMagic(bytes, file, MNIST_IMAGE_MAGIC, 'an MNIST image file (idx3-ubyte)');
  const { shape, data } = parseIdx(bytes, file);
  if (shape[1] !== SIDE || shape[2] !== SIDE) {
    failFile(file, `holds images of ${shape[1]}x${shape[2]} pixels, expected ${SIDE}x${SIDE}`);
  }
  return { pixels: data as Uint8Array, count: shape[0]! };
}

/** MNIST labels (IDX, uint8 [n]) as class indices, each checked to be 0..9. */
export function parseMnistLabels(bytes: Uint8Array, file: string): Int32Array {
  checkMagic(bytes, file, MNIST_LABEL_MAGIC, 'an MNIST label file (idx1-ubyte)');
  const { data } = parseIdx(bytes, file);
  const labels = Int32Array.from(data);
  const bad = labels.findIndex((label) => label < 0 || label >= CLASSES);
  if (bad >= 0) failFile(file, `label ${bad} is ${labels[bad]}, expected a class 0 to ${CLASSES - 1}`);
  return labels;
}

/** Pairs parsed images and labels (the first `limit` of them, when given) into a dataset. */
export function mnistDataset(
  images: { bytes: Uint8Array; file: string },
  labels: { bytes: Uint8Array; file: string },
  limit?: number,
): LabeledImages {
  const { pixels, count } = parseMnistImages(images.bytes, images.file);
  const allLabels = parseMnistLabels(labels.bytes, labels.file);
  if (allLabels.length !== count) {
    failFile(labels.file, `holds ${allLabels.length} labels but ${images.file} holds ${count} images`);
  }
  const kept = limit === undefined ? count : Math.min(limit, count);
  const scaled = new Float32Array(kept * SIDE * SIDE);
  for (let index = 0; index < scaled.length; index++) scaled[index] = pixels[index]! / 255;
  return { images: scaled, labels: allLabels.slice(0, kept), count: kept, height: SIDE, width: SIDE, channels: 1 };
}

function checkMagic(bytes: Uint8Array, file: string, expected: number, what: string): void {
  if (bytes.length < 4) failFile(file, `is ${bytes.length} bytes long, too short to be ${what}`);
  const magic = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
  // The magic number encodes the element type and the rank, so this also checks both.
  if (magic !== expected) failFile(file, `has magic number ${magic}, expected ${expected} for ${what}`);
}

/** The dataset as the tensors fit and evaluate take: x [n, 28, 28, 1] float32, y [n] int32 labels. */
export function datasetTensors(data: LabeledImages): { x: Tensor; y: Tensor } {
  const x = Tensor.allocate([data.count, data.height, data.width, data.channels]);
  x.values.set(data.images);
  const y = Tensor.allocate([data.count], 'int32');
  y.intValues.set(data.labels);
  return { x, y };
}
