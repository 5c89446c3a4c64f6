// TensorFlow.js's layers format against tfjs-layers itself: its models saved through an IOHandler
// and read by poolkit, poolkit's written and read by tf.loadLayersModel, predictions compared.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
import { loadWithTfjs, randomizeWeights, saveWithTfjs, tf, tfjsPredict, tfl, tfjsTestFolder } from './tfjs-helpers.js';

const folder = tfjsTestFolder('poolkit-tfjs-');

/** Saves the tfjs model, loads it in poolkit, compares predictions on random input. */
async function tfjsToPoolkit(
  theirs: tfl.LayersModel,
  shape: number[],
  name: string,
  shards = 1,
): Promise<AnyLayersModel> {
  randomizeWeights(theirs, name.length);
  await saveWithTfjs(theirs, join(folder, name), shards);
  const { model: ours } = await loadModel(join(folder, name));
  const values = randomInput(shape, 3);
  assertClose((ours.predict(tensor(values, shape)) as Tensor).values, tfjsPredict(theirs, values, shape), {
    absolute: 1e-5,
    relative: 1e-4,
    label: name,
  });
  return ours;
}

test('tfjs-layers CNNs (conv2d, max/average pooling valid and same, batch norm, dropout, global pooling, dense) load in poolkit', async () => {
  for (const padding of ['valid', 'same'] as const) {
    const theirs = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [9, 8, 2], padding }),
        tfl.layers.batchNormalization(),
        tfl.layers.maxPooling2d({ poolSize: 2, padding }),
        tfl.layers.averagePooling2d({ poolSize: [2, 3], strides: 1, padding }),
        tfl.layers.dropout({ rate: 0.3 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 5, activation: 'relu' }),
        tfl.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const ours = await tfjsToPoolkit(theirs, [3, 9, 8, 2], `cnn-${padding}`, 3);
    assert.deepEqual(
      ours.layers.map((layer) => layer.className),
      theirs.layers.map((layer) => layer.getClassName()),
    );
  }
  const global = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ filters: 3, kernelSize: 2, inputShape: [6, 6, 1], dataFormat: 'channelsLast' }),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dense({ units: 2 }),
    ],
  });
  await tfjsToPoolkit(global, [2, 6, 6, 1], 'global');
});

test('a tfjs functional model (one chain) loads in poolkit', async () => {
  const x = tfl.input({ shape: [8, 3] });
  const pooled = tfl.layers
    .maxPooling1d({ poolSize: 2 })
    .apply(tfl.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(x));
  const output = tfl.layers
    .dense({ units: 2 })
    .apply(tfl.layers.globalAveragePooling1d({}).apply(pooled)) as tfl.SymbolicTensor;
  await tfjsToPoolkit(tfl.model({ inputs: x, outputs: output }), [2, 8, 3], 'functional');
});

/** Saves a poolkit model in the layers format and compares tf.loadLayersModel's predictions. */
async function poolkitToTfjs(ours: AnyLayersModel, shape: number[], name: string): Promise<tfl.LayersModel> {
  await saveTfjsModel(ours, join(folder, name));
  const theirs = await loadWithTfjs(join(folder, name));
  const values = randomInput(shape, 4);
  assertClose(tfjsPredict(theirs, values, shape), (ours.predict(tensor(values, shape)) as Tensor).values, {
    absolute: 1e-5,
    relative: 1e-4,
    label: name,
  });
  return theirs;
}

test('poolkit models written in the layers format load with tf.loadLayersModel', async () => {
  const ours = sequential(
    [
      layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [8, 8, 1] }),
      layers.batchNormalization(),
      layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
      layers.maxPooling2d({ poolSize: 2 }),
      layers.dropout({ rate: 0.5 }),
      layers.flatten(),
      layers.dense({ units: 3, activation: 'softmax' }),
    ],
    { seed: 4 },
  );
  ours.compile({ optimizer: 'rmsprop', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const theirs = await poolkitToTfjs(ours, [2, 8, 8, 1], 'poolkit-cnn');
  assert.equal(theirs.optimizer.getClassName(), 'RMSProp', 'the compile settings travel as trainingConfig');
  const x = input({ shape: [6, 2] });
  const y = layers
    .dense({ units: 2 })
    .apply(layers.globalMaxPooling1d().apply(layers.conv1d({ filters: 3, kernelSize: 2 }).apply(x)));
  await poolkitToTfjs(functionalModel({ inputs: x, outputs: y }), [3, 6, 2], 'poolkit-functional');
});

test("a poolkit kind Keras lacks is written as 'poolkit>Class' with its full config: poolkit reads it back, TensorFlow.js names it", async () => {
  const cases = [
    layers.lpPooling2d({
      poolSize: 3,
      strides: 1,
      p: 3,
      padding: [
        [1, 0],
        [0, 1],
      ],
      inputShape: [6, 5, 2],
    }),
    layers.maxPooling2d({ poolSize: 3, strides: 2, ceilMode: true, padding: 1, inputShape: [6, 5, 2] }),
  ];
  for (const pooling of cases) {
    const ours = sequential([pooling, layers.flatten(), layers.dense({ units: 2 })], { seed: 2 });
    const target = join(folder, `custom-${pooling.className}`);
    await saveTfjsModel(ours, target);
    const json = JSON.parse(readFileSync(join(target, 'model.json'), 'utf8'));
    assert.equal(json.modelTopology.config.layers[0].class_name, `poolkit>${pooling.className}`);
    const { model: back } = await loadModel(target);
    assert.deepEqual(back.toJSON(), ours.toJSON());
    await assert.rejects(loadWithTfjs(target), new RegExp(`Unknown layer: poolkit>${pooling.className}`));
  }
});

test('a Keras setting poolkit lacks is refused by name; a harmless one is dropped', async () => {
  const theirs = tfl.sequential({
    layers: [tfl.layers.dense({ units: 2, inputShape: [3], kernelRegularizer: tfl.regularizers.l2() })],
  });
  await saveWithTfjs(theirs, join(folder, 'regularized'));
  await assert.rejects(
    loadModel(join(folder, 'regularized')),
    /layer 'dense_Dense\d+' \(Dense\) has a Keras setting poolkit lacks: kernel_regularizer/,
  );
  const plain = tfl.sequential({
    layers: [tfl.layers.dense({ units: 2, inputShape: [3], kernelConstraint: undefined })],
  });
  await tfjsToPoolkit(plain, [2, 3], 'harmless');
});

test('quantized weights (uint8, uint16, float16) are dequantized as TensorFlow.js does', async () => {
  const theirs = tfl.sequential({
    layers: [tfl.layers.dense({ units: 4, inputShape: [5], activation: 'tanh' }), tfl.layers.dense({ units: 2 })],
  });
  randomizeWeights(theirs, 9);
  for (const dtype of ['uint8', 'uint16', 'float16'] as const) {
    const target = join(folder, `quantized-${dtype}`);
    await saveWithTfjs(theirs, target);
    const json = JSON.parse(readFileSync(join(target, 'model.json'), 'utf8'));
    const floats = new Float32Array(readFileSync(join(target, json.weightsManifest[0].paths[0])).buffer.slice(0));
    const specs = json.weightsManifest[0].weights;
    const { data, specs: quantized } = await tf.io.encodeWeights(
      specs.map((spec: { name: string; shape: number[] }, index: number) => {
        const offset = specs
          .slice(0, index)
          .reduce((total: number, other: { shape: number[] }) => total + other.shape.reduce((a, b) => a * b, 1), 0);
        const size = spec.shape.reduce((a, b) => a * b, 1);
        return { name: spec.name, tensor: tf.tensor(floats.subarray(offset, offset + size), spec.shape) };
      }),
    );
    const { data: packed, specs: packedSpecs } = quantize(new Float32Array(data as ArrayBuffer), quantized, dtype);
    writeFileSync(join(target, json.weightsManifest[0].paths[0]), packed);
    json.weightsManifest[0].weights = packedSpecs;
    writeFileSync(join(target, 'model.json'), JSON.stringify(json));
    const { model: ours } = await loadModel(target);
    const values = randomInput([3, 5], 1);
    const reference = await loadWithTfjs(target);
    assertClose(ours.predict(tensor(values, [3, 5])).values, tfjsPredict(reference, values, [3, 5]), {
      absolute: 1e-6,
      label: dtype,
    });
  }
});

/** Float32 weights quantized as tensorflowjs_converter does (affine uint8/uint16 per weight, or float16). */
function quantize(floats: Float32Array, specs: tf.io.WeightsManifestEntry[], dtype: 'uint8' | 'uint16' | 'float16') {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const quantizedSpecs = specs.map((spec) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const values = floats.subarray(offset, offset + size);
    offset += size;
    if (dtype === 'float16') {
      parts.push(new Uint8Array(Uint16Array.from(values, toHalf).buffer));
      return { ...spec, quantization: { dtype } };
    }
    const [min, max] = [Math.min(...values), Math.max(...values)];
    const levels = dtype === 'uint8' ? 255 : 65535;
    const scale = (max - min) / levels || 1;
    const stored = Array.from(values, (value) => Math.round((value - min) / scale));
    parts.push(dtype === 'uint8' ? Uint8Array.from(stored) : new Uint8Array(Uint16Array.from(stored).buffer));
    return { ...spec, quantization: { dtype, scale, min } };
  });
  const data = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  parts.reduce((at, part) => (data.set(part, at), at + part.length), 0);
  return { data, specs: quantizedSpecs };
}

function toHalf(value: number): number {
  const floats = new Float32Array([value]);
  const bits = new Uint32Array(floats.buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  if (exponent <= 0) return sign;
  if (exponent >= 31) return sign | 0x7c00;
  return sign | (exponent << 10) | ((bits >>> 13) & 0x3ff);
}

test('Keras 3 JSON (InputLayer batch_shape, dtype policies, module fields, {args} nodes) and its training_config load', async () => {
  const dtype = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
  const glorot = {
    module: 'keras.initializers',
    class_name: 'GlorotUniform',
    config: { seed: null },
    registered_name: null,
  };
  const dense = (name: string, units: number, activation: string) => ({
    module: 'keras.layers',
    class_name: 'Dense',
    config: {
      name,
      trainable: true,
      dtype,
      units,
      activation,
      use_bias: true,
      kernel_initializer: glorot,
      kernel_regularizer: null,
      lora_rank: null,
    },
    registered_name: null,
    build_config: { input_shape: [null, 3] },
  });
  const keras = (name: string, inbound: string) => ({
    ...dense(name, 2, 'softmax'),
    name,
    inbound_nodes: [
      {
        args: [
          {
            class_name: '__keras_tensor__',
            config: { shape: [null, 4], dtype: 'float32', keras_history: [inbound, 0, 0] },
          },
        ],
        kwargs: {},
      },
    ],
  });
  const input = {
    module: 'keras.layers',
    class_name: 'InputLayer',
    config: { batch_shape: [null, 3], dtype: 'float32', sparse: false, name: 'input_layer' },
    registered_name: null,
  };
  const hidden = {
    ...dense('hidden', 4, 'relu'),
    name: 'hidden',
    inbound_nodes: [
      {
        args: [
          {
            class_name: '__keras_tensor__',
            config: { shape: [null, 3], dtype: 'float32', keras_history: ['input_layer', 0, 0] },
          },
        ],
        kwargs: {},
      },
    ],
  };
  const topologies = {
    sequential: {
      class_name: 'Sequential',
      config: {
        name: 'sequential',
        trainable: true,
        dtype,
        layers: [input, dense('hidden', 4, 'relu'), dense('out', 2, 'softmax')],
      },
    },
    functional: {
      model_config: {
        class_name: 'Functional',
        config: {
          name: 'functional',
          layers: [{ ...input, name: 'input_layer', inbound_nodes: [] }, hidden, keras('out', 'hidden')],
          input_layers: [['input_layer', 0, 0]],
          output_layers: [['out', 0, 0]],
        },
      },
    },
  };
  const trainingConfig = {
    loss: 'sparse_categorical_crossentropy',
    metrics: ['accuracy'],
    optimizer_config: {
      class_name: 'Adam',
      config: {
        name: 'adam',
        learning_rate: 0.005,
        weight_decay: null,
        clipnorm: null,
        use_ema: false,
        ema_momentum: 0.99,
        beta_1: 0.8,
        beta_2: 0.99,
        epsilon: 1e-7,
        amsgrad: false,
      },
    },
  };
  const specs = [
    { name: 'hidden/kernel', shape: [3, 4], dtype: 'float32' },
    { name: 'hidden/bias', shape: [4], dtype: 'float32' },
    { name: 'out/kernel', shape: [4, 2], dtype: 'float32' },
    { name: 'out/bias', shape: [2], dtype: 'float32' },
  ];
  const values = randomInput([26], 5);
  for (const [name, modelTopology] of Object.entries(topologies)) {
    const target = join(folder, `keras3-${name}`);
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'weights.bin'), new Uint8Array(values.buffer));
    writeFileSync(
      join(target, 'model.json'),
      JSON.stringify({
        format: 'layers-model',
        modelTopology,
        trainingConfig,
        weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
      }),
    );
    const { model, warnings } = await loadModel(target);
    assert.deepEqual(warnings, []);
    assert.deepEqual(model.optimizer?.getConfig(), { learningRate: 0.005, beta1: 0.8, beta2: 0.99, epsilon: 1e-7 });
    const ours = sequential([
      layers.dense({ units: 4, activation: 'relu', inputShape: [3] }),
      layers.dense({ units: 2, activation: 'softmax' }),
    ]);
    ours.setWeights(
      [[3, 4], [4], [4, 2], [2]].map((shape, index, all) => {
        const offset = all.slice(0, index).reduce((total, other) => total + other.reduce((a, b) => a * b, 1), 0);
        return tensor(values.subarray(offset, offset + shape.reduce((a, b) => a * b, 1)), shape);
      }),
    );
    const x = tensor(randomInput([2, 3], 6), [2, 3]);
    assertClose((model.predict(x) as Tensor).values, ours.predict(x).values, { label: name });
  }
});
