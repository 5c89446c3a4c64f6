// `poolkit export`: a saved poolkit model (or a TensorFlow.js one) written as ONNX (for ONNX Runtime)
// or in TensorFlow.js's layers format (for tf.loadLayersModel). Only the argument parser loads up
// front: --help and flag errors answer before the kernels load.
import { statSync } from 'node:fs';
import { requireTrainedModel } from '../saved-model.js';
import { choiceOption, parseCommand, UsageError, type CommandSpec } from '../args.js';

const spec: CommandSpec = {
  name: 'export',
  summary: 'Writes a saved model as ONNX (one .onnx file) or in TensorFlow.js layers format (a folder).',
  options: {
    model: { type: 'string', value: '<folder>', default: 'runs/seed-cnn', description: 'The saved model folder' },
    format: { type: 'string', value: '<onnx|tfjs>', description: 'onnx or tfjs (required)' },
    out: { type: 'string', value: '<path>', description: 'The .onnx file, or the TensorFlow.js folder (required)' },
  },
  examples: [
    'poolkit export --format onnx --out seed-cnn.onnx',
    'poolkit export --model runs/avg --format tfjs --out web_model',
  ],
};

/** What is at `path`: nothing, a folder or a file. */
function kindOf(path: string): 'none' | 'folder' | 'file' {
  try {
    return statSync(path).isDirectory() ? 'folder' : 'file';
  } catch {
    return 'none';
  }
}

export async function run(args: string[]): Promise<void> {
  const parsed = parseCommand(spec, args);
  if (parsed === null) return;
  const { values, given, positionals } = parsed;
  if (positionals.length > 0) throw new UsageError('export', `takes no positional arguments, got '${positionals[0]}'`);
  if (!given.has('format')) throw new UsageError('export', '--format is required: onnx or tfjs');
  if (!given.has('out'))
    throw new UsageError('export', '--out is required: the .onnx file or the TensorFlow.js folder');
  const format = choiceOption('export', 'format', values.format, ['onnx', 'tfjs'] as const);
  const out = values.out as string;
  if (format === 'onnx' && kindOf(out) === 'folder')
    throw new UsageError('export', `--out ${out} is a folder; ONNX models are one file (say ${out}/model.onnx)`);
  if (format === 'tfjs' && kindOf(out) === 'file')
    throw new UsageError(
      'export',
      `--out ${out} is a file; TensorFlow.js models are a folder (model.json and weights)`,
    );
  const folder = values.model as string;
  requireTrainedModel(folder, given.has('model'));
  const { loadModel, saveOnnxModel, saveTfjsModel, ONNX_OPSET } = await import('../../src/io/node.js');
  const { model, metadata } = await loadModel(folder);
  const layers = model.layers.map((layer) => layer.className).join(' → ');
  if (format === 'onnx') {
    await saveOnnxModel(model, out, { metadata: { source: folder } });
    console.log(`Exported ${folder} (${layers}) to ${out} (ONNX opset ${ONNX_OPSET}, ${sizeOf(out)}).`);
  } else {
    const written = await saveTfjsModel(model, out, metadata);
    console.log(
      `Exported ${folder} (${layers}) to ${written.model} and ${written.weights} (TensorFlow.js layers format).`,
    );
  }
  model.dispose();
}

function sizeOf(path: string): string {
  return `${(statSync(path).size / 2 ** 20).toFixed(1)} MiB`;
}
