// onnx-proto is an optional peer dependency: without it poolkit/node still loads, everything but
// ONNX works, and the ONNX functions say what to install.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

test('without onnx-proto, the ONNX functions say to install it and the rest of poolkit/node works', () => {
  const root = process.cwd();
  const script = [
    `const { modelToOnnx, modelFromOnnx, saveModel } = await import(${JSON.stringify(join(root, 'src/io/node.ts'))});`,
    `const { layers, sequential } = await import(${JSON.stringify(join(root, 'src/index.ts'))});`,
    'const model = sequential([layers.dense({ units: 2, inputShape: [3] })]);',
    'for (const call of [() => modelToOnnx(model), () => modelFromOnnx(new Uint8Array(4))])',
    '  try { call(); } catch (error) { console.log(error.message); }',
    'console.log(typeof saveModel);',
  ].join('\n');
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      join(root, 'test/formats/fixtures/without-onnx-proto.mjs'),
      '--import',
      import.meta.resolve('tsx'),
      '--input-type=module',
      '-e',
      script,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(result.status, 0, result.stderr);
  assert.equal(
    result.stdout,
    [
      "modelToOnnx: onnx-proto must be installed to read or write ONNX (npm install onnx-proto), got 'not installed'",
      "modelFromOnnx: onnx-proto must be installed to read or write ONNX (npm install onnx-proto), got 'not installed'",
      'function',
      '',
    ].join('\n'),
  );
});
