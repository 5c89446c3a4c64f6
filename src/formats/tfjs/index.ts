// TensorFlow.js's layers format in memory (browser-safe); files are in files.ts (poolkit/node).
export {
  modelToTfjsArtifacts,
  modelFromTfjsArtifacts,
  checkTfjsModelJson,
  TFJS_FORMAT,
  TFJS_WEIGHTS_FILE,
  type TfjsModelJson,
} from './artifacts.js';
export type { TfjsManifestGroup, TfjsWeightSpec, TfjsQuantization } from './weights.js';
export { CUSTOM_PREFIX } from './layer-config.js';
