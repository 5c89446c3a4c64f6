// poolkit's ONNX API: models and pooling ops to ONNX bytes (and, in import-model.ts, back).
export { modelToOnnx, type OnnxExportOptions } from './export-model.js';
export { poolingOpToOnnx, type PoolingOpSpec } from './export-pooling.js';
export { ONNX_OPSET, ONNX_IR_VERSION } from './encode.js';
export type { KindOnnx, OnnxExportCall, OnnxExportResult, OnnxImportNode, OnnxImportResult } from './kind-hook.js';
export { modelFromOnnx, type OnnxImportOptions } from './import-model.js';
export { saveOnnxModel, loadOnnxModel } from './files.js';
