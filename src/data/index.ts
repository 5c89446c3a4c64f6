// Data: the IDX format, MNIST from its bytes, and digit pictures made MNIST-like (no file access
// here; Node's file loading is in ../io/node.ts).
export { parseIdx, parseIdxHeader, encodeIdx, idxMagic, type IdxArray, type IdxType, type IdxData } from './idx.js';
export {
  parseMnistImages,
  parseMnistLabels,
  mnistDataset,
  datasetTensors,
  MNIST_IMAGE_MAGIC,
  MNIST_LABEL_MAGIC,
  type LabeledImages,
} from './mnist.js';
export { digitToMnist, inkLevels, whyNoDigit, type RgbaPicture } from './digit-image.js';
