// Saving and loading, as bytes: the weights blob and manifest, models as model.json + weights,
// the one-file bundle checkpoints use. Pure, for Node and browsers; files are in ./node.ts.
export { PoolkitFileError } from './file-error.js';
export { crc32 } from './checksum.js';
export { encodeWeights, decodeWeights, type NamedWeights, type WeightEntry, type WeightsManifest } from './weights.js';
export {
  modelToArtifacts,
  modelFromArtifacts,
  modelWeights,
  setNamedWeights,
  MODEL_FORMAT,
  WEIGHTS_FILE,
  type ModelJson,
} from './model-artifacts.js';
export { encodeBundle, decodeBundle } from './bundle.js';
export * from '../formats/tfjs/index.js';
export type { CompileSettings } from './compile-settings.js';
export type {
  KindOnnx,
  OnnxExportCall,
  OnnxExportResult,
  OnnxImportNode,
  OnnxImportResult,
} from '../formats/onnx/kind-hook.js';
