// `poolkit import`: a TensorFlow.js layers model (its model.json, or the folder holding it) or an
// ONNX file, read into a poolkit model folder that eval, predict and the web recognizer load.
// Only the argument parser loads up front: --help and flag errors answer before the kernels load.
import { statSync } from 'node:fs';
import { parseCommand, UsageError, type CommandSpec } from '../args.js';

const spec: CommandSpec = {
  name: 'import',
  summary: 'Reads a TensorFlow.js layers model (model.json or its folder) or an ONNX file into a poolkit model folder.',
  positionals: '<model.json | folder | model.onnx>',
  options: {
    out: { type: 'string', value: '<folder>', description: 'Where the poolkit model goes (required)' },
  },
  examples: [
    'poolkit import web_model/model.json --out runs/from-tfjs',
    'poolkit import cnn.onnx --out runs/from-onnx',
  ],
};

export async function run(args: string[]): Promise<void> {
  const parsed = parseCommand(spec, args);
  if (parsed === null) return;
  const { values, given, positionals } = parsed;
  if (positionals.length !== 1)
    throw new UsageError(
      'import',
      `needs one model (model.json, its folder, or a .onnx file), got ${positionals.length}`,
    );
  if (!given.has('out')) throw new UsageError('import', '--out is required: the folder the poolkit model goes into');
  const source = positionals[0]!;
  const out = values.out as string;
  const isOnnx = source.toLowerCase().endsWith('.onnx');
  const isFolder = statSync(source, { throwIfNoEntry: false })?.isDirectory() ?? false;
  if (!isOnnx && !isFolder && !source.toLowerCase().endsWith('.json'))
    throw new UsageError('import', `${source} is neither a .onnx file nor a TensorFlow.js model.json (or its folder)`);
  if (statSync(out, { throwIfNoEntry: false })?.isFile())
    throw new UsageError('import', `--out ${out} is a file; a poolkit model is a folder`);
  const { loadOnnxModel, loadTfjsModel, saveModel } = await import('../../src/io/node.js');
  const loaded = isOnnx
    ? { model: await loadOnnxModel(source), metadata: {}, warnings: [] }
    : await loadTfjsModel(source);
  const { model } = loaded;
  for (const warning of loaded.warnings) console.warn(`poolkit import: ${warning}`);
  const saved = await saveModel(model, out, {
    ...loaded.metadata,
    importedFrom: source,
    importedFormat: isOnnx ? 'onnx' : 'tfjs',
  });
  const compiled =
    model.optimizer === null ? 'not compiled' : `compiled (${model.optimizer.className}, ${model.loss!.name})`;
  console.log(
    `Imported ${source} (${model.layers.map((layer) => layer.className).join(' → ')}; ${compiled}) into ${saved.model} and ${saved.weights}.`,
  );
  model.dispose();
}
