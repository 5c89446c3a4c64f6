// ONNX export against onnxruntime-node: the seed CNN and, for every pooling kind of the registry at
// every rank, models with random options, run by ONNX Runtime and by poolkit on the same inputs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { buildSeedModel } from '../../cli/training/seed-model.js';
import { layers, Random, sequential, tensor, type AnyLayersModel } from '../../src/index.js';
import { modelToOnnx, poolingOpToOnnx } from '../../src/io/node.js';
import { decodeOnnx } from '../../src/formats/onnx/decode.js';
import { maxPool2d, minPool2d } from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { kindsWithLayers, poolingModel, randomInput, randomPoolingCase } from './random-layers.js';

/** ONNX Runtime's output 'output' for one float input named `input`. */
async function runOnnx(bytes: Uint8Array, values: Float32Array, shape: readonly number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 4 });
  try {
    const results = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', values, [...shape]) });
    return results[session.outputNames[0]!]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

async function compareWithRuntime(
  model: AnyLayersModel,
  shape: readonly number[],
  values: Float32Array,
  label: string,
) {
  const expected = model.predict(tensor(values, [...shape]));
  const actual = await runOnnx(modelToOnnx(model), values, shape).catch((error: Error) => {
    throw new Error(`${label}: ${error.message}`);
  });
  assertClose(actual, (expected as ReturnType<AnyLayersModel['predict']> & { values: Float32Array }).values, {
    absolute: 1e-4,
    relative: 1e-4,
    label,
  });
  (expected as { dispose(): void }).dispose();
}

test('the seed CNN exports to ONNX and ONNX Runtime predicts what poolkit predicts', async () => {
  const model = buildSeedModel({ pooling: 'max', seed: 3, learningRate: 0.001 });
  const shape = [4, 28, 28, 1];
  await compareWithRuntime(
    model,
    shape,
    randomInput(shape, 1).map((value) => Math.abs(value) / 2),
    'seed CNN',
  );
  model.dispose();
});

test('Transposes only where the order changes: none for a channels-first model, two for the NHWC seed CNN', async () => {
  const transposes = (model: AnyLayersModel) =>
    decodeOnnx(modelToOnnx(model), 'model').nodes.filter((node) => node.opType === 'Transpose').length;
  const channelsFirst = sequential([
    layers.conv2d({ filters: 3, kernelSize: 3, dataFormat: 'channelsFirst', inputShape: [2, 7, 7] }),
    layers.maxPooling2d({ poolSize: 2, dataFormat: 'channelsFirst' }),
    layers.batchNormalization({ axis: 1 }),
    layers.globalAveragePooling2d({ dataFormat: 'channelsFirst' }),
    layers.dense({ units: 2 }),
  ]);
  assert.equal(transposes(channelsFirst), 0);
  await compareWithRuntime(channelsFirst, [2, 2, 7, 7], randomInput([2, 2, 7, 7], 4), 'channels first');
  assert.equal(transposes(buildSeedModel({ pooling: 'average', seed: 1, learningRate: 0.001 })), 2);
});

test('every exportable pooling kind, at every rank, with random options, matches ONNX Runtime', async () => {
  const random = new Random(2024);
  let exported = 0;
  for (const { kind, rank } of kindsWithLayers()) {
    const hook = kind.onnx?.export;
    if (typeof hook !== 'function') continue;
    for (let draw = 0; draw < 4; draw++) {
      const testCase = randomPoolingCase(kind, rank, random);
      const model = poolingModel(testCase, draw + 1);
      const values = randomInput(testCase.inputShape, draw + 7, true);
      await compareWithRuntime(
        model,
        testCase.inputShape,
        values,
        `${kind.name} ${rank}D ${JSON.stringify(testCase.config)}`,
      );
      model.dispose();
      exported++;
    }
  }
  assert.ok(exported >= 4 * 30, `only ${exported} models exported`);
});

test('average pooling with divisorOverride and Lp pooling with a fractional p export as compositions', async () => {
  const shape = [2, 7, 6, 3];
  const models = [
    sequential([
      layers.averagePooling2d({
        poolSize: 3,
        strides: 2,
        padding: [1, 1],
        divisorOverride: 5,
        ceilMode: true,
        inputShape: [7, 6, 3],
      }),
    ]),
    sequential([layers.lpPooling2d({ poolSize: [3, 2], strides: 1, p: 2.5, padding: 'same', inputShape: [7, 6, 3] })]),
    sequential([layers.globalLpPooling2d({ p: 1.5, inputShape: [7, 6, 3] })]),
  ];
  for (const model of models) {
    await compareWithRuntime(model, shape, randomInput(shape, 3), model.layers[0]!.className);
    model.dispose();
  }
});

test("windows ONNX's tooling mishandles export exactly: ceil_mode against shape inference, pads as large as the window", async () => {
  // Height needs ceil mode, width drops its last window (and the overhang must not count in a divisor).
  const mixedCeil = { poolSize: [3, 2], strides: [2, 3], padding: 1, ceilMode: true, inputShape: [6, 5, 2] };
  // SAME with dilation 3 pads 2 on a window of 2.
  const wideSame = { poolSize: 2, strides: 1, dilation: 3, padding: 'same', inputShape: [5, 6, 2] } as const;
  const cases: [ReturnType<typeof sequential>, number[]][] = [
    // ONNX's shape inference rounds depth 4 up to 3 windows; the runtime (and poolkit) drop the third.
    [
      sequential([
        layers.maxPooling3d({
          poolSize: 1,
          strides: [2, 1, 3],
          dilation: [1, 2, 2],
          ceilMode: true,
          dataFormat: 'channelsFirst',
          inputShape: [2, 4, 5, 4],
        }),
        layers.flatten(),
        layers.dense({ units: 2 }),
      ]),
      [2, 2, 4, 5, 4],
    ],
    [
      sequential([
        layers.averagePooling2d({ ...mixedCeil, countIncludePad: true }),
        layers.flatten(),
        layers.dense({ units: 2 }),
      ]),
      [2, 6, 5, 2],
    ],
    [sequential([layers.averagePooling2d(mixedCeil)]), [2, 6, 5, 2]],
    [sequential([layers.lpPooling2d({ ...mixedCeil, p: 3 })]), [2, 6, 5, 2]],
    [sequential([layers.maxPooling2d(wideSame)]), [2, 5, 6, 2]],
    [sequential([layers.averagePooling2d(wideSame)]), [2, 5, 6, 2]],
    [sequential([layers.averagePooling2d({ ...wideSame, countIncludePad: true })]), [2, 5, 6, 2]],
    [sequential([layers.lpPooling1d({ ...wideSame, p: 2, inputShape: [6, 2] })]), [2, 6, 2]],
  ];
  for (const [model, shape] of cases) {
    await compareWithRuntime(model, shape, randomInput(shape, 11), JSON.stringify(model.layers[0]!.getConfig()));
    model.dispose();
  }
});

test('LSTM pooling exports as an LSTM unrolled over the taps, padding and ceil-mode overhang skipped', async () => {
  const cases: [ReturnType<typeof sequential>, number[]][] = [
    [
      sequential([
        layers.lstmPooling2d({ poolSize: 3, strides: 2, padding: 1, ceilMode: true, units: 4, inputShape: [7, 6, 2] }),
      ]),
      [2, 7, 6, 2],
    ],
    [
      sequential([
        layers.lstmPooling2d({
          poolSize: 2,
          strides: 1,
          dilation: 2,
          padding: 'same',
          units: 3,
          dataFormat: 'channelsFirst',
          inputShape: [2, 5, 5],
        }),
      ]),
      [2, 2, 5, 5],
    ],
  ];
  for (const [model, shape] of cases) {
    const random = new Random(5);
    for (const parameter of model.layers[0]!.parameters)
      for (let index = 0; index < parameter.tensor.size; index++)
        parameter.tensor.values[index] = random.uniform() - 0.5;
    await compareWithRuntime(model, shape, randomInput(shape, 12), JSON.stringify(model.layers[0]!.getConfig()));
    model.dispose();
  }
});

test('max and min pooling ops export with their indices (per plane, int32, as returnIndices gives them)', async () => {
  const shape = [2, 6, 7, 3];
  const values = randomInput(shape, 5);
  const options = { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, returnIndices: true } as const;
  // Min pooling is −MaxPool(−x) and its argmin MaxPool's Indices of −x: exact, so no tolerance.
  for (const [kind, op] of [
    ['max', maxPool2d],
    ['min', minPool2d],
  ] as const) {
    const bytes = poolingOpToOnnx({ kind, rank: 2, options, inputShape: shape });
    const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 4 });
    const results = await session.run({ x: new ort.Tensor('float32', values, shape) });
    const expected = op(tensor(values, shape), options);
    assertClose(results.y!.data as Float32Array, expected.output.values, { absolute: 0, relative: 0, label: kind });
    assert.deepEqual(Array.from(results.indices!.data as Int32Array), Array.from(expected.indices.intValues));
    assert.deepEqual(results.indices!.dims, expected.indices.shape);
    await session.release();
  }
});

test('a layer ONNX cannot express is refused by name: masks, which an ONNX graph does not carry', () => {
  const masked = sequential([layers.masking({ inputShape: [5, 3] }), layers.globalMaxPooling1d()]);
  assert.throws(() => modelToOnnx(masked), /layer 'masking' \(Masking\) cannot be exported to ONNX: it makes a mask/);
  masked.dispose();
  const tokens = sequential([
    layers.embedding({ inputDim: 9, outputDim: 2, maskZero: true, inputShape: [4] }),
    layers.flatten(),
  ]);
  assert.throws(
    () => modelToOnnx(tokens),
    /layer 'embedding' \(Embedding\) cannot be exported to ONNX: maskZero makes a mask/,
  );
  tokens.dispose();
});
