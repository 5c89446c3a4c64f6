// Node only: ONNX files written (atomically) and read (checked as a regular file of bounded size).
import { writeFileAtomic } from '../../io/atomic-write.js';
import { readBytes } from '../../io/read-file.js';
import type { AnyLayersModel } from '../../nn/layers-model.js';
import type { Sequential } from '../../nn/sequential.js';
import { modelToOnnx, type OnnxExportOptions } from './export-model.js';
import { modelFromOnnx } from './import-model.js';

/** Writes the model as an ONNX file (what ONNX Runtime loads). */
export async function saveOnnxModel(
  model: AnyLayersModel,
  path: string,
  options: OnnxExportOptions = {},
): Promise<void> {
  await writeFileAtomic(path, modelToOnnx(model, options));
}

/**
 * Reads an ONNX file into a poolkit Sequential (see modelFromOnnx for what it takes).
 * @example const model = await loadOnnxModel('cnn.onnx');
 */
export async function loadOnnxModel(path: string): Promise<Sequential> {
  return modelFromOnnx(await readBytes(path), { file: path });
}
