// The RoI layers (RoIPooling2D, RoIAlign2D): on [features, rois] in a functional model they give
// torchvision's goldens (test/golden/roi-align, roi-pool) forward and in the features' gradient, and
// finite differences through the model; on one input they are the op on whole-map boxes (roiPool's
// 13 bins over 26 pixels are 2×2 max pooling, aligned RoIAlign's 2×2 samples are 2×2 averages);
// fit through them trains a convolution as through those poolings; models holding them save and load
// (poolkit's format and TensorFlow.js's) with identical outputs and export to ONNX (ONNX Runtime
// agrees); bad rois and configs get errors naming the argument.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import {
  Adam,
  avgPool2d,
  backward,
  input,
  layers,
  maxPool2d,
  model,
  requireGrad,
  roiAlign,
  roiPool,
  sequential,
  tensor,
  tidy,
  type Layer,
  type Model,
  type SymbolicTensor,
  type PoolingConfig,
  type PoolingFactory,
  type Tensor,
} from '../../src/index.js';
import { loadModel, loadTfjsModel, modelToOnnx, saveModel, saveTfjsModel } from '../../src/io/node.js';
import { assertClose } from '../helpers/assert-close.js';
import { decode, goldenCases } from '../helpers/golden-json.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { randomBoxes, type RoiGoldenCase } from '../helpers/roi-boxes.js';
import { uniformTensor } from '../helpers/uniform.js';

const folder = mkdtempSync(join(tmpdir(), 'poolkit-roi-layers-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const KINDS = [
  { folder: 'roi-align', factory: layers.roiAlign2d, op: roiAlign },
  { folder: 'roi-pool', factory: layers.roiPooling2d, op: roiPool },
] as const;

/** A functional model [features, rois] → the RoI layer made by `factory` with `config`. */
function roiModel(factory: PoolingFactory, featureShape: readonly number[], config: object): Model {
  const features = input({ shape: featureShape.slice(1) });
  const rois = input({ shape: [5] });
  const layer = factory(config as PoolingConfig);
  return model({ inputs: [features, rois], outputs: layer.apply([features, rois]) });
}

for (const kind of KINDS) {
  for (const golden of goldenCases<RoiGoldenCase>(kind.folder)) {
    test(`${kind.folder} layer in a functional model: torchvision's output and features gradient, rois none: ${golden.name}`, () =>
      tidy(() => {
        const net = roiModel(kind.factory, golden.inputShape, golden.options);
        const features = requireGrad(tensor(decode(golden.input), golden.inputShape));
        const rois = requireGrad(tensor(decode(golden.boxes), [golden.boxCount, 5]));
        const output = net.call([features, rois]);
        assert.deepEqual(Array.from(output.values), Array.from(decode(golden.output)));
        backward(output, tensor(decode(golden.gradOutput), output.shape));
        assert.deepEqual(Array.from(features.grad!.values), Array.from(decode(golden.gradInput)));
        assert.equal(rois.grad, null);
        net.dispose();
      }));
  }
}

test('through a functional model, the features gradient matches finite differences (both layers, random boxes)', () => {
  const rois = tensor(randomBoxes(6, 2, 5, 6, 11), [6, 5]);
  const features = uniformTensor([2, 5, 6, 3], 12);
  for (const [factory, config] of [
    [layers.roiAlign2d, { outputSize: [2, 3], samplingRatio: 2, aligned: true }],
    [layers.roiPooling2d, { outputSize: 2, spatialScale: 1 }],
  ] as const) {
    const net = roiModel(factory, features.shape, config);
    gradcheck((x) => net.call([x, rois]), [features]);
    net.dispose();
  }
});

/** Whole-map rows (image, 0, 0, x2, y2) for a [batch, height, width, channels] input, written out. */
function wholeMap(batch: number, height: number, width: number, end: number, scale: number): Tensor {
  const rows = Array.from({ length: batch }, (_, image) => [
    image,
    0,
    0,
    (width - end) / scale,
    (height - end) / scale,
  ]);
  return tensor(rows.flat(), [batch, 5]);
}

test('on one input, each image is its one region: the op on whole-map boxes; outputSize defaults to half the map', () => {
  const x = uniformTensor([3, 7, 9, 2], 4);
  const cases = [
    [layers.roiPooling2d, roiPool, { outputSize: [3, 4] }, 1, 1],
    [layers.roiPooling2d, roiPool, { outputSize: 2, spatialScale: 0.5, maxRule: 'onnx' }, 1, 0.5],
    [layers.roiAlign2d, roiAlign, { outputSize: [2, 5], samplingRatio: 2 }, 1, 1],
    [layers.roiAlign2d, roiAlign, { outputSize: 3, aligned: true, spatialScale: 0.25, mode: 'max' }, 0, 0.25],
  ] as const;
  for (const [factory, op, config, end, scale] of cases) {
    const layerOutput = factory(config).apply(x);
    const expected = (op as typeof roiPool)(x, wholeMap(3, 7, 9, end, scale), config as never);
    assert.deepEqual(layerOutput.shape, expected.shape);
    assert.deepEqual(Array.from(layerOutput.values), Array.from(expected.values), JSON.stringify(config));
  }
  const halved = layers.roiAlign2d({ samplingRatio: 1 }).apply(x);
  assert.deepEqual(halved.shape, [3, 3, 4, 2]);
  const explicit = roiAlign(x, wholeMap(3, 7, 9, 1, 1), { outputSize: [3, 4], samplingRatio: 1 });
  assert.deepEqual(Array.from(halved.values), Array.from(explicit.values));
});

test('on one input, roiPool’s 13 bins over 26 pixels are 2×2 max pooling; aligned RoIAlign with 2×2 samples is 2×2 averaging', () => {
  const x = uniformTensor([2, 26, 26, 3], 5);
  const pooled = layers.roiPooling2d(layers.roiPooling2d().kind.layer!.seedConfig!).apply(x);
  assert.deepEqual(Array.from(pooled.values), Array.from(maxPool2d(x, { kernelSize: 2 }).values));
  const aligned = layers.roiAlign2d({ outputSize: 13, samplingRatio: 2, aligned: true }).apply(x);
  assertClose(aligned.values, avgPool2d(x, { kernelSize: 2 }).values, { absolute: 1e-6, relative: 1e-6 });
  const first = layers.roiAlign2d({ dataFormat: 'channelsFirst', outputSize: 13, aligned: true, samplingRatio: 2 });
  const nchw = uniformTensor([1, 3, 26, 26], 6);
  assertClose(first.apply(nchw).values, avgPool2d(nchw, { kernelSize: 2, dataFormat: 'channelsFirst' }).values, {
    absolute: 1e-6,
    relative: 1e-6,
  });
});

/** The weights after `fit` of conv → `pooling` → dense on 16 images, from the same seeds. */
async function fitted(
  pooling: (features: SymbolicTensor, rois: SymbolicTensor) => SymbolicTensor,
  x: Tensor[],
  batchSize: number,
) {
  const images = input({ shape: [10, 10, 1] });
  const rois = input({ shape: [5] });
  const conv = layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }).apply(images);
  const pooled = layers.flatten().apply(pooling(conv, rois));
  const output = layers.dense({ units: 3, activation: 'softmax' }).apply(pooled);
  const net = model({ inputs: x.length === 2 ? [images, rois] : images, outputs: output, seed: 5 });
  net.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
  const labels = tensor(
    Array.from({ length: 16 }, (_, index) => index % 3),
    [16],
  );
  await net.fit(x.length === 2 ? x : x[0]!, labels, { epochs: 2, batchSize, seed: 1, shuffle: batchSize < 16 });
  const weights = net.getWeights().map((weight) => Array.from(weight.values));
  net.dispose();
  return weights;
}

test('fit trains through the layers as through the pooling they equal: features gradients reach the convolution', async () => {
  const images = uniformTensor([16, 10, 10, 1], 21);
  const apply = (layer: Layer) => (features: SymbolicTensor) => layer.apply(features);
  const max = await fitted(apply(layers.maxPooling2d({ poolSize: 2 })), [images], 8);
  assert.deepEqual(await fitted(apply(layers.roiPooling2d({ outputSize: 4 })), [images], 8), max);
  const average = await fitted(apply(layers.averagePooling2d({ poolSize: 2 })), [images], 8);
  const aligned = await fitted(apply(layers.roiAlign2d({ samplingRatio: 2, aligned: true })), [images], 8);
  aligned.forEach((weight, index) => assertClose(weight, average[index]!, { absolute: 1e-5, relative: 1e-4 }));
  // On [features, rois]: one batch of all 16 images (rois index the batch); row i pools image 15 − i,
  // so the model learns as max pooling on the images in reverse order.
  const rois = tensor(Array.from({ length: 16 }, (_, row) => [15 - row, 0, 0, 7, 7]).flat(), [16, 5]);
  const plane = 10 * 10;
  const reversed = tensor(
    Array.from({ length: 16 }, (_, row) =>
      Array.from(images.values.subarray((15 - row) * plane, (16 - row) * plane)),
    ).flat(),
    [16, 10, 10, 1],
  );
  const roiLayer = layers.roiPooling2d({ outputSize: 4 });
  const withRois = await fitted((features, boxes) => roiLayer.apply([features, boxes]), [images, rois], 16);
  const reference = await fitted(apply(layers.maxPooling2d({ poolSize: 2 })), [reversed], 16);
  withRois.forEach((weight, index) => assertClose(weight, reference[index]!, { absolute: 1e-5, relative: 1e-4 }));
});

test('models holding RoI layers save and load with identical outputs: poolkit’s format and TensorFlow.js’s', async () => {
  const features = input({ shape: [6, 7, 2] });
  const rois = input({ shape: [5] });
  const conv = layers.conv2d({ filters: 3, kernelSize: 2, padding: 'same' }).apply(features);
  const alignConfig = {
    outputSize: [2, 3],
    spatialScale: 0.5,
    dataFormat: 'channelsLast',
    samplingRatio: -1,
    aligned: true,
    mode: 'max',
  };
  const aligned = layers.roiAlign2d(alignConfig);
  const pooled = layers.roiPooling2d({ outputSize: 3, maxRule: 'onnx', dataFormat: 'channelsLast' });
  const net = model({ inputs: [features, rois], outputs: [aligned.apply([conv, rois]), pooled.apply([conv, rois])] });
  const single = sequential([layers.roiAlign2d({ inputShape: [6, 7, 2], aligned: true }), layers.flatten()]);
  const x = uniformTensor([2, 6, 7, 2], 8);
  const boxes = tensor(randomBoxes(5, 2, 12, 14, 9), [5, 5]);
  for (const [save, load, name] of [
    [saveModel, loadModel, 'poolkit'],
    [saveTfjsModel, loadTfjsModel, 'tfjs'],
  ] as const) {
    await save(net, join(folder, `${name}-functional`));
    await save(single, join(folder, `${name}-single`));
    const loadedNet = (await load(join(folder, `${name}-functional`))).model as unknown as Model<Tensor[]>;
    const loadedSingle = (await load(join(folder, `${name}-single`))).model;
    assert.deepEqual(
      loadedNet.layers.map((layer) => layer.className),
      net.layers.map((layer) => layer.className),
    );
    assert.deepEqual(
      loadedNet.layers.map((layer) => layer.getConfig()),
      net.layers.map((layer) => layer.getConfig()),
      name,
    );
    const [ours, theirs] = [net.call([x, boxes]) as Tensor[], loadedNet.call([x, boxes])];
    assert.equal(ours.length, 2);
    ours.forEach((output, index) => assert.deepEqual(Array.from(theirs[index]!.values), Array.from(output.values)));
    assert.deepEqual(Array.from(loadedSingle.predict(x).values), Array.from(single.predict(x).values));
    loadedNet.dispose();
    loadedSingle.dispose();
  }
  assert.deepEqual(aligned.getConfig(), { name: 'ro_i_align2d', trainable: true, ...alignConfig });
});

test('ONNX Runtime computes exported RoI layers as poolkit does: on [features, rois] (RoiAlign, MaxRoiPool) and on one input', async () => {
  const features = input({ shape: [3, 7, 9] });
  const rois = input({ shape: [5] });
  const aligned = layers.roiAlign2d({
    outputSize: [2, 3],
    spatialScale: 0.5,
    aligned: true,
    dataFormat: 'channelsFirst',
  });
  const alignedMax = layers.roiAlign2d({ outputSize: 3, samplingRatio: 2, mode: 'max', dataFormat: 'channelsFirst' });
  const pooled = layers.roiPooling2d({ outputSize: [3, 2], spatialScale: 0.5, dataFormat: 'channelsFirst' });
  const outputs = [aligned, alignedMax, pooled].map((layer) => layer.apply([features, rois]));
  const net = model({ inputs: [features, rois], outputs });
  const single = sequential([
    layers.roiAlign2d({ inputShape: [7, 9, 3], aligned: true }),
    layers.roiPooling2d({ outputSize: 2 }),
  ]);
  const x = uniformTensor([2, 3, 7, 9], 13);
  const boxes = tensor(randomBoxes(7, 2, 14, 18, 14), [7, 5]);
  const session = await ort.InferenceSession.create(modelToOnnx(net), { logSeverityLevel: 4 });
  const [xName, roisName] = session.inputNames;
  const results = await session.run({
    [xName!]: new ort.Tensor('float32', x.toFloat32Array(), [...x.shape]),
    [roisName!]: new ort.Tensor('float32', boxes.toFloat32Array(), [7, 5]),
  });
  const expected = net.call([x, boxes]) as Tensor[];
  session.outputNames.forEach((name, index) =>
    assertClose(results[name]!.data as Float32Array, expected[index]!.values, {
      absolute: 1e-6,
      relative: 1e-6,
      label: name,
    }),
  );
  await session.release();
  const image = uniformTensor([3, 7, 9, 3], 15);
  const singleSession = await ort.InferenceSession.create(modelToOnnx(single), { logSeverityLevel: 4 });
  const feeds = { [singleSession.inputNames[0]!]: new ort.Tensor('float32', image.toFloat32Array(), [3, 7, 9, 3]) };
  const singleResult = (await singleSession.run(feeds))[singleSession.outputNames[0]!]!;
  assert.deepEqual(singleResult.dims, [3, 2, 2, 3]);
  assertClose(singleResult.data as Float32Array, single.predict(image).values, { absolute: 1e-6, relative: 1e-6 });
  await singleSession.release();
});

test('bad rois and configs: errors name the argument and the rule', () => {
  const features = input({ shape: [6, 6, 2] });
  assert.throws(
    () => layers.roiAlign2d({ outputSize: 2 }).apply([features, input({ shape: [4] })]),
    /RoIAlign2D: rois must have shape \[K, 5\]: one row \(batch index, x1, y1, x2, y2\) per region, got 'shape \[null, 4\]'/,
  );
  assert.throws(
    () => layers.roiPooling2d({ outputSize: 2 }).apply([features, input({ shape: [5, 1] })]),
    /RoIPooling2D: rois must have shape \[K, 5\]/,
  );
  assert.throws(
    () => layers.roiPooling2d().apply([features, input({ shape: [5] })]),
    /RoIPooling2D: outputSize is required when the layer is called on \[features, rois\]/,
  );
  assert.throws(
    () => layers.roiAlign2d({ outputSize: 2 }).apply([features, input({ shape: [5] }), input({ shape: [5] })]),
    /RoIAlign2D: inputs must be \[input, rois\]: two tensors, got 'a list of 3'/,
  );
  assert.throws(
    () => layers.maxPooling2d({ poolSize: 2 }).apply([features, input({ shape: [5] })]),
    /MaxPooling2D: inputs must be one tensor: this layer takes no second input/,
  );
  assert.throws(
    () => layers.roiAlign2d().computeOutputShape([null, null, 6, 2]),
    /RoIAlign2D: outputSize is required when the height or width of the input is unknown/,
  );
  assert.throws(() => layers.roiAlign2d({ outputSize: 0 }).apply(uniformTensor([1, 4, 4, 1], 1)), /outputSize/);
  assert.throws(
    () => layers.roiAlign2d({ outputSize: 2, samplingRatio: -2 }).apply(uniformTensor([1, 4, 4, 1], 1)),
    /RoIAlign2D: samplingRatio must be an integer of at least −1/,
  );
  assert.throws(() => layers.roiAlign2d({ outputSize: 2, boxes: 3 }), /RoIAlign2D.*boxes/);
  const net = roiModel(layers.roiAlign2d, [2, 6, 6, 2], { outputSize: 2 });
  const x = uniformTensor([2, 6, 6, 2], 3);
  assert.throws(
    () => net.call([x, tensor([0, 0, 0, 3, 3, 2, 0, 0, 3, 3], [2, 5])]),
    /roiAlign: boxes must hold image indices from 0 to 1 \(box 1\), got 2/,
  );
  assert.throws(() => net.call([x, tensor([0.5, 0, 0, 3, 3], [1, 5])]), /boxes must hold image indices/);
  assert.throws(() => net.call([x, tensor([0, 0, 0, NaN, 3], [1, 5])]), /boxes must hold finite coordinates \(box 0\)/);
  assert.throws(() => net.call(x), /model: x must be a list of 2 tensors|must be a list of 2/);
  net.dispose();
});

test('a model with a rois input refuses batches that would cut, reorder or split off its rows', async () => {
  const images = input({ shape: [6, 6, 1] });
  const rois = input({ shape: [5] });
  const pooled = layers.flatten().apply(layers.roiPooling2d({ outputSize: 2 }).apply([images, rois]));
  const net = model({ inputs: [images, rois], outputs: layers.dense({ units: 2 }).apply(pooled), seed: 3 });
  net.compile({ optimizer: new Adam(), loss: 'sparseCategoricalCrossentropy' });
  // The rois input is found through the graph, also behind the Flatten/Dense that follow the layer.
  assert.deepEqual(net.regionInputs, [1]);
  const x = [
    uniformTensor([4, 6, 6, 1], 2),
    tensor([3, 0, 0, 5, 5, 2, 0, 0, 5, 5, 1, 0, 0, 5, 5, 0, 0, 0, 5, 5], [4, 5]),
  ];
  const y = tensor([0, 1, 0, 1], [4]);
  const rule = (argument: string) => (error: unknown) =>
    error instanceof Error && error.message.includes(argument) && error.message.includes('x[1] holds regions');
  await assert.rejects(net.fit(x, y, { batchSize: 4 }), rule('shuffle'));
  await assert.rejects(net.fit(x, y, { batchSize: 2, shuffle: false }), rule('batchSize'));
  await assert.rejects(net.fit(x, y, { batchSize: 4, shuffle: false, validationSplit: 0.5 }), rule('validationSplit'));
  assert.throws(() => net.predict(x, { batchSize: 3 }), rule('batchSize'));
  assert.throws(() => net.evaluate(x, y, { batchSize: 2 }), rule('batchSize'));
  // One whole, unshuffled batch is the shape that is right: it trains and predicts.
  await net.fit(x, y, { batchSize: 4, shuffle: false, epochs: 1 });
  assert.deepEqual((net.predict(x, { batchSize: 4 }) as Tensor).shape, [4, 2]);
  // A sequential model of the one-input form has no region input and batches as any model.
  assert.deepEqual(sequential([layers.roiPooling2d({ inputShape: [6, 6, 1] })]).regionInputs, []);
});
