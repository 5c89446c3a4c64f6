// ONNX import against onnxruntime-node: pooling models built here from random attribute
// combinations (auto_pad, pads, strides and dilations defaults, ceil_mode, count_include_pad,
// storage_order, p; 1D to 3D; global pools), run by ONNX Runtime and imported into poolkit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { Random, tensor } from '../../src/index.js';
import { modelFromOnnx, modelToOnnx } from '../../src/io/node.js';
import { encodeModel } from '../../src/formats/onnx/encode.js';
import { OnnxGraph, ONNX_FLOAT, type AttributeValue } from '../../src/formats/onnx/graph.js';
import { buildSeedModel } from '../../cli/training/seed-model.js';
import { assertClose } from '../helpers/assert-close.js';
import { randomInput } from './random-layers.js';

const integer = (random: Random, low: number, high: number) => low + Math.floor(random.uniform() * (high - low + 1));
const maybe = (random: Random) => random.uniform() < 0.5;

/** A model of one node from input 'x' (shape given) to output 'y'. */
function oneNode(opType: string, attributes: Record<string, AttributeValue>, shape: number[], outputs = 1): Uint8Array {
  const graph = new OnnxGraph();
  graph.input('x', ONNX_FLOAT, ['N', ...shape.slice(1)]);
  const names = graph.node(opType, ['x'], attributes, { outputs: outputs === 1 ? ['y'] : ['y', 'indices'] });
  graph.output(
    names[0]!,
    ONNX_FLOAT,
    shape.map(() => null),
  );
  return encodeModel(graph, { name: 'pool' });
}

/** Random attributes of a sliding-window pool, each left out now and then (ONNX's defaults then apply). */
function randomWindow(random: Random, rank: number): Record<string, AttributeValue> {
  const kernel = Array.from({ length: rank }, () => integer(random, 1, 4));
  const attributes: Record<string, AttributeValue> = { kernel_shape: kernel };
  if (maybe(random)) attributes.strides = kernel.map(() => integer(random, 1, 3));
  if (maybe(random)) attributes.dilations = kernel.map(() => integer(random, 1, 2));
  const autoPad = ['NOTSET', 'VALID', 'SAME_UPPER', 'SAME_LOWER', undefined][integer(random, 0, 4)];
  if (autoPad !== undefined) attributes.auto_pad = autoPad;
  if ((autoPad === undefined || autoPad === 'NOTSET') && maybe(random)) {
    const pad = () => kernel.map((size) => integer(random, 0, Math.floor(size / 2)));
    attributes.pads = [...pad(), ...pad()];
  }
  if (maybe(random)) attributes.ceil_mode = integer(random, 0, 1);
  return attributes;
}

/**
 * ONNX Runtime computes auto_pad SAME as if dilations were 1 (its pads and output size ignore
 * them), against ONNX's own definition; poolkit follows the definition. For such attributes the
 * reference is ONNX Runtime on the same window with the definition's pads written explicitly.
 */
function runtimeTwin(attributes: Record<string, AttributeValue>, shape: number[]): Record<string, AttributeValue> {
  const autoPad = attributes.auto_pad;
  const dilations = (attributes.dilations as number[] | undefined) ?? [];
  if ((autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER') || dilations.every((dilation) => dilation === 1))
    return attributes;
  const kernel = attributes.kernel_shape as number[];
  const strides = (attributes.strides as number[] | undefined) ?? kernel.map(() => 1);
  const pads = kernel.map((size, axis) => {
    const inSize = shape[axis + 2]!;
    const outSize = Math.ceil(inSize / strides[axis]!);
    const total = Math.max(0, (outSize - 1) * strides[axis]! + (size - 1) * dilations[axis]! + 1 - inSize);
    const small = Math.floor(total / 2);
    return autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
  });
  const { auto_pad: _autoPad, ceil_mode: _ceilMode, ...rest } = attributes;
  return { ...rest, pads: [...pads.map((pair) => pair[0]!), ...pads.map((pair) => pair[1]!)] };
}

/** Whether the windows fit the input and its explicit pads: at least one output per axis, ONNX's sizes (no auto_pad SAME). */
function fits(attributes: Record<string, AttributeValue>, shape: number[]): boolean {
  if (String(attributes.auto_pad).startsWith('SAME')) return true;
  const kernel = attributes.kernel_shape as number[];
  const pads = attributes.auto_pad === 'VALID' ? [] : ((attributes.pads as number[] | undefined) ?? []);
  const dilations = (attributes.dilations as number[] | undefined) ?? [];
  const strides = (attributes.strides as number[] | undefined) ?? [];
  const ceil = attributes.ceil_mode === 1;
  return kernel.every((size, axis) => {
    const padded = shape[axis + 2]! + (pads[axis] ?? 0) + (pads[axis + kernel.length] ?? 0);
    const span = padded - ((size - 1) * (dilations[axis] ?? 1) + 1);
    const stride = strides[axis] ?? 1;
    return (ceil || span >= 0) && Math.floor((span + (ceil ? stride - 1 : 0)) / stride) + 1 >= 1;
  });
}

async function runtimeOutput(bytes: Uint8Array, values: Float32Array, shape: number[]) {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 4 });
  try {
    return (await session.run({ x: new ort.Tensor('float32', values, shape) })).y!;
  } finally {
    await session.release();
  }
}

test('random MaxPool, AveragePool and LpPool attributes, 1D to 3D, import with ONNX Runtime’s outputs', async () => {
  const random = new Random(16);
  let [compared, refused] = [0, 0];
  for (let draw = 0; draw < 150; draw++) {
    const rank = integer(random, 1, 3);
    const shape = [
      2,
      integer(random, 1, 3),
      ...Array.from({ length: rank }, () => integer(random, 3, rank === 3 ? 6 : 9)),
    ];
    const opType = ['MaxPool', 'AveragePool', 'LpPool'][draw % 3]!;
    const attributes = randomWindow(random, rank);
    if (opType === 'MaxPool' && maybe(random)) attributes.storage_order = integer(random, 0, 1);
    if (opType === 'AveragePool' && maybe(random)) attributes.count_include_pad = integer(random, 0, 1);
    if (opType === 'LpPool' && maybe(random)) attributes.p = integer(random, 1, 3);
    const bytes = oneNode(opType, attributes, shape);
    const values = randomInput(shape, draw);
    const twin = oneNode(opType, runtimeTwin(attributes, shape), shape);
    const expected = await runtimeOutput(twin, values, shape).catch(() => null);
    if (expected === null) continue; // ONNX Runtime refuses the combination (a window larger than the input)
    const label = `${opType} ${JSON.stringify(attributes)} on [${shape.join(', ')}]`;
    let model;
    try {
      model = modelFromOnnx(bytes);
    } catch (error) {
      // poolkit refuses, saying so, explicit pads over half the window (PyTorch's rule) and a
      // window larger than the padded input (ONNX Runtime rounds such a size toward zero).
      const message = (error as Error).message;
      assert.ok(
        /at most half the kernel size/.test(message) ||
          (!fits(attributes, shape) && /must fit the padded input/.test(message)),
        `${label}: ${message}`,
      );
      refused++;
      continue;
    }
    const actual = model.predict(tensor(values, shape));
    assert.deepEqual(actual.shape, expected.dims, label);
    assertClose(actual.values, expected.data as Float32Array, { absolute: 1e-5, relative: 1e-5, label });
    actual.dispose();
    model.dispose();
    compared++;
  }
  assert.ok(compared >= 100 && refused <= 20, `${compared} of 150 models compared, ${refused} refused`);
});

test('GlobalMaxPool, GlobalAveragePool and GlobalLpPool import, keeping ONNX’s size-1 axes', async () => {
  const random = new Random(17);
  for (let draw = 0; draw < 18; draw++) {
    const rank = (draw % 3) + 1;
    const shape = [2, integer(random, 1, 4), ...Array.from({ length: rank }, () => integer(random, 1, 6))];
    const opType = ['GlobalMaxPool', 'GlobalAveragePool', 'GlobalLpPool'][Math.floor(draw / 3) % 3]!;
    const attributes: Record<string, AttributeValue> =
      opType === 'GlobalLpPool' && maybe(random) ? { p: integer(random, 1, 4) } : {};
    const bytes = oneNode(opType, attributes, shape);
    const values = randomInput(shape, draw);
    const expected = await runtimeOutput(bytes, values, shape);
    const model = modelFromOnnx(bytes);
    const actual = model.predict(tensor(values, shape));
    assert.deepEqual(actual.shape, expected.dims);
    assertClose(actual.values, expected.data as Float32Array, { absolute: 1e-5, relative: 1e-5, label: opType });
    model.dispose();
  }
});

test('count_include_pad defaults to 0 in ONNX (PyTorch’s default is the opposite)', async () => {
  const shape = [1, 1, 4];
  const values = Float32Array.from([1, 2, 3, 4]);
  const bytes = oneNode('AveragePool', { kernel_shape: [3], pads: [1, 1] }, shape);
  const output = modelFromOnnx(bytes).predict(tensor(values, shape));
  // Edges divide by their 2 in-bounds cells, not by 3.
  assertClose(output.values, [1.5, 2, 3, 3.5]);
  assertClose(output.values, (await runtimeOutput(bytes, values, shape)).data as Float32Array);
});

test('SAME_UPPER pads the odd cell after, SAME_LOWER before', async () => {
  const shape = [1, 1, 5];
  const values = Float32Array.from([1, 2, 3, 4, 5]);
  for (const [autoPad, want] of [
    ['SAME_UPPER', [2, 4, 5]],
    ['SAME_LOWER', [1, 3, 5]],
  ] as const) {
    const bytes = oneNode('MaxPool', { kernel_shape: [2], strides: [2], auto_pad: autoPad }, shape);
    const output = modelFromOnnx(bytes).predict(tensor(values, shape));
    assert.deepEqual(Array.from(output.values), want);
    assert.deepEqual(Array.from((await runtimeOutput(bytes, values, shape)).data as Float32Array), want);
  }
});

test('an exported seed CNN imports back to the same predictions; its MaxPool Indices may go unread only', async () => {
  const model = buildSeedModel({ pooling: 'max', seed: 5, learningRate: 0.001 });
  const back = modelFromOnnx(modelToOnnx(model));
  const shape = [3, 28, 28, 1];
  const x = tensor(randomInput(shape, 2).map(Math.abs), shape);
  assertClose(back.predict(x).values, model.predict(x).values, { absolute: 1e-6 });
  assert.deepEqual(
    back.layers.map((layer) => layer.className),
    model.layers.map((layer) => layer.className),
  );
  const withIndices = oneNode('MaxPool', { kernel_shape: [2] }, [1, 1, 4], 2);
  assert.ok(modelFromOnnx(withIndices).layers.length === 1, 'an unread Indices output is fine');
});

/**
 * A CNN as torch.onnx.export writes one (NCHW): Conv without bias then Add of the bias, BatchNormalization,
 * Relu, MaxPool, AveragePool with count_include_pad, Reshape of a constant shape, Gemm with transB,
 * Dropout (opset 12's ratio input), Softmax; Constant nodes and initializers both hold values.
 */
function torchStyleCnn(random: Random): Uint8Array {
  const graph = new OnnxGraph();
  const weights = (stem: string, shape: number[]) =>
    graph.floats(
      stem,
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random.uniform() - 0.5),
      shape,
    );
  graph.input('image', ONNX_FLOAT, ['batch', 2, 9, 9]);
  let x = graph.apply('Conv', ['image', weights('conv.weight', [4, 2, 3, 3])], {
    kernel_shape: [3, 3],
    pads: [1, 1, 1, 1],
  });
  x = graph.apply('Add', [x, weights('conv.bias', [1, 4, 1, 1])]);
  const stats = ['bn.weight', 'bn.bias', 'bn.running_mean'].map((stem) => weights(stem, [4]));
  const variance = graph.floats('bn.running_var', [0.5, 1, 1.5, 2], [4]);
  x = graph.apply('BatchNormalization', [x, ...stats, variance], { epsilon: { float: 1e-5 } });
  x = graph.apply('Relu', [x]);
  x = graph.apply('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 });
  x = graph.apply('AveragePool', [x], {
    kernel_shape: [3, 3],
    strides: [1, 1],
    pads: [1, 1, 1, 1],
    count_include_pad: 1,
  });
  const shape = graph.node('Constant', [], { value_ints: [-1, 100] })[0]!;
  x = graph.apply('Reshape', [x, shape]);
  x = graph.apply('Gemm', [x, weights('fc.weight', [5, 100]), weights('fc.bias', [5])], {
    transB: 1,
    alpha: { float: 0.5 },
  });
  x = graph.apply('Dropout', [x, graph.floats('ratio', [0.25], [])]);
  x = graph.apply('Softmax', [x], { axis: 1 });
  graph.output(x, ONNX_FLOAT, ['batch', 5]);
  return encodeModel(graph, { name: 'torch_cnn' });
}

test('a PyTorch-style NCHW CNN imports as channels-first layers with ONNX Runtime’s predictions', async () => {
  const bytes = torchStyleCnn(new Random(21));
  const model = modelFromOnnx(bytes);
  assert.deepEqual(
    model.layers.map((layer) => layer.className),
    [
      'Conv2D',
      'BatchNormalization',
      'Activation',
      'MaxPooling2D',
      'AveragePooling2D',
      'Reshape',
      'Dense',
      'Dropout',
      'Activation',
    ],
  );
  const shape = [3, 2, 9, 9];
  const values = randomInput(shape, 8);
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 4 });
  const expected = (await session.run({ image: new ort.Tensor('float32', values, shape) }))[session.outputNames[0]!]!;
  await session.release();
  assertClose(model.predict(tensor(values, shape)).values, expected.data as Float32Array, {
    absolute: 1e-5,
    relative: 1e-4,
  });
});
