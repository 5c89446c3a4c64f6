// Every layer class poolkit shares with Keras, both ways through the layers format: tfjs-layers
// models of each (text, volumes, merges, reshapes) read by poolkit, and the same models made in
// poolkit read by tf.loadLayersModel, with equal predictions.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  layers,
  model as functionalModel,
  input,
  sequential,
  tensor,
  type AnyLayersModel,
  type Tensor,
} from '../../src/index.js';
import { loadModel, saveTfjsModel } from '../../src/io/node.js';
import { assertClose } from '../helpers/assert-close.js';
import { randomInput } from './random-layers.js';
import { loadWithTfjs, randomizeWeights, saveWithTfjs, tfjsPredict, tfl, tfjsTestFolder } from './tfjs-helpers.js';

const folder = tfjsTestFolder('poolkit-tfjs-layers-');

/** Inputs for a model: whole token indices in [0, 9) for an Embedding, uniform values otherwise. */
function inputsFor(shape: number[], tokens: boolean): Float32Array {
  const values = randomInput(shape, 6);
  return tokens ? values.map((value) => Math.floor(((value + 2) / 4) * 9)) : values;
}

async function bothWays(name: string, theirs: tfl.LayersModel, ours: AnyLayersModel, shape: number[], tokens = false) {
  randomizeWeights(theirs, 3);
  await saveWithTfjs(theirs, join(folder, `${name}-tfjs`));
  const { model: read } = await loadModel(join(folder, `${name}-tfjs`));
  const values = inputsFor(shape, tokens);
  const expected = tfjsPredict(theirs, values, shape);
  assertClose((read.predict(tensor(values, shape)) as Tensor).values, expected, {
    absolute: 1e-5,
    relative: 1e-4,
    label: `${name}: tfjs → poolkit`,
  });
  await saveTfjsModel(ours, join(folder, `${name}-poolkit`));
  const loaded = await loadWithTfjs(join(folder, `${name}-poolkit`));
  assertClose(tfjsPredict(loaded, values, shape), (ours.predict(tensor(values, shape)) as Tensor).values, {
    absolute: 1e-5,
    relative: 1e-4,
    label: `${name}: poolkit → tfjs`,
  });
  assert.deepEqual(
    read.layers.map((layer) => layer.className),
    loaded.layers.map((layer) => layer.getClassName()),
  );
}

test('text: Embedding, Conv1D, MaxPooling1D, AveragePooling1D, GlobalMaxPooling1D, Dense', async () => {
  const theirs = tfl.sequential({
    layers: [
      tfl.layers.embedding({ inputDim: 9, outputDim: 4, inputLength: 12 }),
      tfl.layers.conv1d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh' }),
      tfl.layers.maxPooling1d({ poolSize: 2, padding: 'same' }),
      tfl.layers.averagePooling1d({ poolSize: 2 }),
      tfl.layers.globalMaxPooling1d({}),
      tfl.layers.dense({ units: 2, activation: 'sigmoid' }),
    ],
  });
  const ours = sequential([
    layers.embedding({ inputDim: 9, outputDim: 4, inputLength: 12 }),
    layers.conv1d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh' }),
    layers.maxPooling1d({ poolSize: 2, padding: 'same' }),
    layers.averagePooling1d({ poolSize: 2 }),
    layers.globalMaxPooling1d(),
    layers.dense({ units: 2, activation: 'sigmoid' }),
  ]);
  await bothWays('text', theirs, ours, [3, 12], true);
});

test('volumes and reshapes: Conv3D, MaxPooling3D, AveragePooling3D, Reshape, UpSampling2D, Activation, GlobalAveragePooling2D', async () => {
  const theirs = tfl.sequential({
    layers: [
      tfl.layers.conv3d({ filters: 2, kernelSize: 2, inputShape: [4, 5, 4, 1] }),
      tfl.layers.maxPooling3d({ poolSize: [1, 2, 1] }),
      tfl.layers.averagePooling3d({ poolSize: 2, strides: 1, padding: 'same' }),
      tfl.layers.reshape({ targetShape: [6, 6, 1] }),
      tfl.layers.upSampling2d({ size: [2, 1] }),
      tfl.layers.activation({ activation: 'relu' }),
      tfl.layers.globalAveragePooling2d({}),
    ],
  });
  const ours = sequential([
    layers.conv3d({ filters: 2, kernelSize: 2, inputShape: [4, 5, 4, 1] }),
    layers.maxPooling3d({ poolSize: [1, 2, 1] }),
    layers.averagePooling3d({ poolSize: 2, strides: 1, padding: 'same' }),
    layers.reshape({ targetShape: [6, 6, 1] }),
    layers.upSampling2d({ size: [2, 1] }),
    layers.activation({ activation: 'relu' }),
    layers.globalAveragePooling2d(),
  ]);
  await bothWays('volumes', theirs, ours, [2, 4, 5, 4, 1]);
});

test('merges in a functional model: Concatenate, Add, GlobalMaxPooling2D', async () => {
  const x = tfl.input({ shape: [6, 6, 2] });
  const left = tfl.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }).apply(x) as tfl.SymbolicTensor;
  const right = tfl.layers.conv2d({ filters: 3, kernelSize: 1 }).apply(x) as tfl.SymbolicTensor;
  const added = tfl.layers.add().apply([left, right]) as tfl.SymbolicTensor;
  const joined = tfl.layers.concatenate({ axis: -1 }).apply([added, left]) as tfl.SymbolicTensor;
  const theirs = tfl.model({
    inputs: x,
    outputs: tfl.layers.globalMaxPooling2d({}).apply(joined) as tfl.SymbolicTensor,
  });
  const ox = input({ shape: [6, 6, 2] });
  const oleft = layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }).apply(ox);
  const oright = layers.conv2d({ filters: 3, kernelSize: 1 }).apply(ox);
  const ojoined = layers.concatenate({ axis: -1 }).apply([layers.add().apply([oleft, oright]), oleft]);
  const ours = functionalModel({ inputs: ox, outputs: layers.globalMaxPooling2d().apply(ojoined) });
  await bothWays('merges', theirs, ours, [2, 6, 6, 2]);
});
