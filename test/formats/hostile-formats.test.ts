// Corrupt, truncated and hostile ONNX and TensorFlow.js files: each gives an error naming the file
// and saying what is wrong, never a crash, a hang or a huge allocation.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { layers, PoolkitFileError, sequential } from '../../src/index.js';
import { loadModel, loadOnnxModel, modelFromOnnx, modelToOnnx, saveTfjsModel } from '../../src/io/node.js';
import { encodeModel } from '../../src/formats/onnx/encode.js';
import { OnnxGraph, ONNX_FLOAT, type AttributeValue } from '../../src/formats/onnx/graph.js';

const folder = mkdtempSync(join(tmpdir(), 'poolkit-hostile-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const TIMEOUT = { timeout: 20_000 };

/** A graph from 'x' [1, 2, 6, 6] through `build`, whose last value is the output. */
function onnxModel(build: (graph: OnnxGraph) => string, shape: (number | string)[] = ['N', 2, 6, 6]): Uint8Array {
  const graph = new OnnxGraph();
  graph.input('x', ONNX_FLOAT, shape);
  graph.output(build(graph), ONNX_FLOAT, [null, null]);
  return encodeModel(graph, { name: 'hostile' });
}

const pool = (attributes: Record<string, AttributeValue>) => (graph: OnnxGraph) =>
  graph.apply('MaxPool', ['x'], attributes);

function refusedOnnx(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => modelFromOnnx(bytes, { file: 'hostile.onnx' }),
    (error: Error) =>
      error instanceof PoolkitFileError && /^hostile\.onnx: /.test(error.message) && pattern.test(error.message),
  );
}

test('ONNX: wrong magic, truncated, empty and random bytes are not ONNX models', TIMEOUT, async () => {
  refusedOnnx(new TextEncoder().encode('PKBUNDL2 not a protobuf at all \u0000\u00ff'), /is not an ONNX model/);
  refusedOnnx(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), /is not an ONNX model/);
  refusedOnnx(new Uint8Array(0), /is not an ONNX model poolkit reads: ir_version 0, no graph/);
  const whole = modelToOnnx(sequential([layers.dense({ units: 3, inputShape: [4] })]));
  for (const length of [whole.length - 1, Math.floor(whole.length / 2), 7])
    refusedOnnx(whole.subarray(0, length), /is not an ONNX model/);
  const random = new Uint8Array(4096).map((_, index) => (index * 2654435761) >>> 24);
  refusedOnnx(random, /is not an ONNX model/);
  const path = join(folder, 'cut.onnx');
  writeFileSync(path, whole);
  truncateSync(path, 100);
  await assert.rejects(loadOnnxModel(path), /cut\.onnx: is not an ONNX model/);
});

test('ONNX: weights whose dims disagree with their data or with the input, and a billion-unit layer', TIMEOUT, () => {
  const gemm = (dims: number[], values: number) => (graph: OnnxGraph) => {
    const flat = graph.apply('Flatten', ['x'], { axis: 1 });
    graph.initializers.push({ name: 'B', type: ONNX_FLOAT, shape: dims, values: new Float32Array(values) });
    return graph.apply('Gemm', [flat, 'B']);
  };
  refusedOnnx(onnxModel(gemm([72, 3], 10)), /tensor 'B'.* dims \[72, 3\] \(216 values\) but 10 values/);
  refusedOnnx(onnxModel(gemm([72, 1_000_000_000], 4)), /tensor 'B'.* dims \[72, 1000000000\], too large for memory/);
  refusedOnnx(onnxModel(gemm([50, 3], 150)), /node 'Gemm' \(Gemm\): has B for 50 input features, its input has 72/);
  const conv = (graph: OnnxGraph) =>
    graph.apply('Conv', ['x', graph.floats('W', new Float32Array(4 * 3 * 9), [4, 3, 3, 3])]);
  refusedOnnx(onnxModel(conv), /has weights for 3 input channels, its input has 2/);
});

test('ONNX: unknown operators, domains and opsets, and hostile attributes are refused by name', TIMEOUT, () => {
  refusedOnnx(
    onnxModel((graph) => graph.apply('LSTM', ['x'])),
    /node 'LSTM' \(LSTM\): is an operator poolkit does not import; it imports .*MaxPool/,
  );
  refusedOnnx(
    onnxModel((graph) => graph.apply('Shape', ['x'])),
    /a shape computed at run time/,
  );
  refusedOnnx(
    onnxModel(pool({ kernel_shape: [1e12, 2] })),
    /MaxPooling2D: kernelSize must be an integer .* at most 2147483647/,
  );
  refusedOnnx(onnxModel(pool({ kernel_shape: [2, 2], strides: [0, 1] })), /strides must hold 2 integers of at least 1/);
  refusedOnnx(
    onnxModel(pool({ kernel_shape: [2, 2], auto_pad: 'SIDEWAYS' })),
    /auto_pad must be one of NOTSET, VALID, SAME_UPPER, SAME_LOWER/,
  );
  refusedOnnx(
    onnxModel(pool({ kernel_shape: [2, 2], pads: [2, 2, 2, 2] })),
    /padding must be at most half the kernel size/,
  );
  refusedOnnx(onnxModel(pool({ kernel_shape: 'two' })), /has attribute kernel_shape of the wrong kind/);
  const huge = onnxModel(pool({ kernel_shape: [2, 2] }));
  const tooNew = Uint8Array.from(huge);
  // The opset entry's version is the model's last varint (encodeModel writes opset_import last).
  tooNew[tooNew.length - 1] = 99;
  refusedOnnx(tooNew, /uses opset 99; poolkit imports opsets 7 to 23/);
  refusedOnnx(
    onnxModel(pool({ kernel_shape: [2, 2] }), ['N', 2, 'H', 6]),
    /poolkit needs every extent but the batch known/,
  );
  const branches = (graph: OnnxGraph) => {
    const left = graph.apply('Relu', ['x']);
    return graph.apply('Add', [left, graph.apply('Sigmoid', ['x'])]);
  };
  refusedOnnx(onnxModel(branches), /poolkit imports a chain of layers \(Sequential\)/);
});

/** A small poolkit model saved in the layers format, for damaging. */
async function tfjsFolder(name: string, units = 4): Promise<string> {
  const target = join(folder, name);
  const model = sequential([
    layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [6, 6, 1] }),
    layers.flatten(),
    layers.dense({ units }),
  ]);
  await saveTfjsModel(model, target);
  return target;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a model.json being damaged on purpose
type Json = any;

function editJson(target: string, edit: (json: Json) => void): void {
  const path = join(target, 'model.json');
  const json = JSON.parse(readFileSync(path, 'utf8'));
  edit(json);
  writeFileSync(path, JSON.stringify(json));
}

test(
  'TF.js: not JSON, a graph model, truncated, longer or missing shards, and shards outside the folder',
  TIMEOUT,
  async () => {
    const notJson = await tfjsFolder('not-json');
    writeFileSync(join(notJson, 'model.json'), '{"format": "layers-model", "modelTop');
    await assert.rejects(loadModel(notJson), /model\.json: is not valid JSON/);
    const graphModel = await tfjsFolder('graph-model');
    editJson(graphModel, (json) => (json.format = 'graph-model'));
    await assert.rejects(loadModel(graphModel), /format must be 'layers-model' .*a graph model has no layers to read/);
    const truncated = await tfjsFolder('truncated');
    truncateSync(join(truncated, 'weights.bin'), 40);
    await assert.rejects(
      loadModel(truncated),
      /weights group 0 \(weights\.bin\) lacks \d+ bytes its manifest needs: truncated/,
    );
    const longer = await tfjsFolder('longer');
    writeFileSync(
      join(longer, 'weights.bin'),
      Buffer.concat([readFileSync(join(longer, 'weights.bin')), Buffer.alloc(8)]),
    );
    await assert.rejects(
      loadModel(longer),
      /weights\.bin: is \d+ bytes long, more than the \d+ bytes its manifest leaves for it/,
    );
    const missing = await tfjsFolder('missing');
    rmSync(join(missing, 'weights.bin'));
    await assert.rejects(loadModel(missing), /weights\.bin: does not exist/);
    const escaping = await tfjsFolder('escaping');
    editJson(escaping, (json) => (json.weightsManifest[0].paths = ['../secret.bin']));
    await assert.rejects(
      loadModel(escaping),
      /names the weights shard '\.\.\/secret\.bin', outside the model's folder/,
    );
  },
);

test(
  'TF.js: a manifest that disagrees with the topology, a billion units, unknown classes and quantization',
  TIMEOUT,
  async () => {
    const shapes = await tfjsFolder('shapes');
    editJson(shapes, (json) => (json.weightsManifest[0].weights[0].shape = [3, 3, 1, 5]));
    await assert.rejects(
      loadModel(shapes),
      /weight 'conv2d\/kernel' has shape \[3, 3, 1, 5\], the model needs \[3, 3, 1, 2\]/,
    );
    const billion = await tfjsFolder('billion');
    editJson(billion, (json) => {
      json.modelTopology.config.layers[2].config.units = 1_000_000_000;
      json.weightsManifest[0].weights[2].shape = [32, 1_000_000_000];
      json.weightsManifest[0].weights[3].shape = [1_000_000_000];
    });
    await assert.rejects(loadModel(billion), /describes a model too large for memory|too large for memory/);
    const unknown = await tfjsFolder('unknown-class');
    editJson(unknown, (json) => (json.modelTopology.config.layers[1].class_name = 'ConvLSTM2D'));
    await assert.rejects(loadModel(unknown), /className must be one of .*got 'ConvLSTM2D'/);
    const quantized = await tfjsFolder('int4');
    editJson(
      quantized,
      (json) => (json.weightsManifest[0].weights[0].quantization = { dtype: 'int4', scale: 1, min: 0 }),
    );
    await assert.rejects(loadModel(quantized), /weight 'conv2d\/kernel' is quantized as .*int4/);
    const nested = join(folder, 'nested', 'deeper');
    mkdirSync(nested, { recursive: true });
    await assert.rejects(loadModel(nested), /model\.json: does not exist/);
  },
);
