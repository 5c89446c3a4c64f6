// `poolkit export` and `poolkit import` as a user runs them: a saved model to ONNX and to a
// TensorFlow.js folder and back into poolkit folders with the same predictions; usage mistakes
// exit 2 with a pointer to --help, bad files exit 1 naming the file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { layers, randomUniform, sequential, type Tensor } from '../../src/index.js';
import { loadModel, saveModel } from '../../src/io/node.js';

const root = process.cwd();
const folder = mkdtempSync(join(tmpdir(), 'poolkit-cli-formats-'));
after(() => rmSync(folder, { recursive: true, force: true }));

function poolkit(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), join(root, 'cli/main.ts'), ...args],
    {
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('export to ONNX and TensorFlow.js, import both back: same predictions, compile settings through TF.js', async () => {
  const model = sequential([
    layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 1] }),
    layers.averagePooling2d({ poolSize: 2 }),
    layers.flatten(),
    layers.dense({ units: 4, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const source = join(folder, 'source');
  await saveModel(model, source);
  const exports = [
    ['onnx', join(folder, 'model.onnx'), /to .*model\.onnx \(ONNX opset 19, /],
    [
      'tfjs',
      join(folder, 'web_model'),
      /to .*web_model\/model\.json and .*weights\.bin \(TensorFlow\.js layers format\)/,
    ],
  ] as const;
  const input = randomUniform([3, 8, 8, 1], { seed: 2 });
  const expected = (model.predict(input) as Tensor).toFloat32Array();
  for (const [format, out, said] of exports) {
    const exported = poolkit('export', '--model', source, '--format', format, '--out', out);
    assert.equal(exported.status, 0, exported.stderr);
    assert.match(exported.stdout, said);
    const back = join(folder, `from-${format}`);
    const imported = poolkit('import', out, '--out', back);
    assert.equal(imported.status, 0, imported.stderr);
    assert.match(
      imported.stdout,
      format === 'tfjs' ? /compiled \(Adam, sparseCategoricalCrossentropy\)/ : /not compiled/,
    );
    const { model: loaded, metadata } = await loadModel(back);
    assert.equal(metadata.importedFormat, format);
    assert.deepEqual(Array.from((loaded.predict(input) as Tensor).toFloat32Array()), Array.from(expected));
  }
});

test('usage mistakes exit 2 with a pointer to --help; a bad file exits 1 naming it', () => {
  const onnxFolder = join(folder, 'a-folder');
  const cases: [string[], number, RegExp][] = [
    [
      ['export', '--out', 'x.onnx'],
      2,
      /poolkit export: --format is required: onnx or tfjs\nRun 'poolkit export --help'/,
    ],
    [['export', '--format', 'keras', '--out', 'x'], 2, /--format must be one of onnx, tfjs, got 'keras'/],
    [['export', '--format', 'onnx'], 2, /--out is required/],
    [['export', '--format', 'onnx', '--out', folder], 2, /is a folder; ONNX models are one file/],
    [['export', '--model', onnxFolder, '--format', 'onnx', '--out', 'x.onnx'], 1, /no trained model in .*a-folder/],
    [['import', '--out', 'y'], 2, /needs one model \(model\.json, its folder, or a \.onnx file\), got 0/],
    [['import', 'model.txt', '--out', 'y'], 2, /model\.txt is neither a \.onnx file nor a TensorFlow\.js model\.json/],
    [['import', join(folder, 'garbage.onnx'), '--out', join(folder, 'z')], 1, /garbage\.onnx: is not an ONNX model/],
  ];
  writeFileSync(join(folder, 'garbage.onnx'), 'not a protobuf at all');
  for (const [args, status, message] of cases) {
    const result = poolkit(...args);
    assert.equal(result.status, status, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
});
