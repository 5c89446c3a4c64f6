// The text, sequence, volume and merge layers against the same @tensorflow/tfjs-layers layers with
// the same weights: forward values, the input gradient (tf.grad) and every weight's gradient
// (tf.variableGrads) of Σ w·layer(x) for a random w.
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { backward, layers, Random, requireGrad, tensor, tidy, type Layer, type Tensor } from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { randomValues } from '../helpers/tfjs-grads.js';

before(async () => {
  await tf.setBackend('cpu');
});

interface Inputs {
  readonly shapes: readonly number[][];
  readonly values: readonly Float32Array[];
  /** Whether the inputs get gradients (not token indices). */
  readonly differentiable: boolean;
}

function randomInputs(shapes: number[][], seed: number): Inputs {
  const random = new Random(seed);
  const values = shapes.map((shape) =>
    randomValues(
      shape.reduce((a, b) => a * b, 1),
      random,
      2,
    ),
  );
  return { shapes, values, differentiable: true };
}

/** Ours: output, input gradients and weight gradients of Σ w·f. */
function ours(layer: Layer, inputs: Inputs, weights: (size: number) => Float32Array) {
  return tidy(() => {
    const tensors = inputs.values.map((values, index) => {
      const input = tensor(values, inputs.shapes[index]);
      return inputs.differentiable ? requireGrad(input) : input;
    });
    const output = tensors.length === 1 ? layer.apply(tensors[0]!) : layer.apply(tensors);
    const w = weights(output.size);
    if (output.requiresGrad) backward(output, tensor(w, output.shape));
    const result = {
      output: output.toFloat32Array(),
      w,
      inputGrads: inputs.differentiable ? tensors.map((input) => input.grad!.toFloat32Array()) : [],
      weightGrads: layer.parameters.map((parameter) => parameter.tensor.grad!.toFloat32Array()),
    };
    for (const parameter of layer.parameters) parameter.tensor.grad = null;
    return result;
  });
}

/** The same for the tfjs layer, built and given our weights; `before` runs on its inputs first. */
function theirs(
  layer: tfl.layers.Layer,
  ourLayer: Layer,
  inputs: Inputs,
  w: Float32Array,
  before?: (x: tf.Tensor) => tf.Tensor,
) {
  return tf.tidy(() => {
    const tensors = inputs.values.map((values, index) => tf.tensor(values, inputs.shapes[index]));
    const call = (...args: tf.Tensor[]) => {
      const prepared = before === undefined ? args : args.map(before);
      return layer.apply(prepared.length === 1 ? prepared[0]! : prepared) as tf.Tensor;
    };
    const output = call(...tensors);
    layer.setWeights(
      ourLayer.parameters.map((parameter) =>
        tf.tensor(parameter.tensor.toFloat32Array(), parameter.tensor.shape as number[]),
      ),
    );
    const built = call(...tensors);
    const loss = (...args: tf.Tensor[]) => tf.sum(tf.mul(call(...args), tf.tensor(w, output.shape)));
    const inputGrads = inputs.differentiable
      ? tf
          .grads(loss)(tensors)
          .map((grad) => grad.dataSync() as Float32Array)
      : [];
    const variables = layer.trainableWeights.map((weight) => weight.read() as tf.Variable);
    const grads = variables.length === 0 ? {} : tf.variableGrads(() => loss(...tensors) as tf.Scalar, variables).grads;
    const weightGrads = variables.map((variable) => grads[variable.name]!.dataSync() as Float32Array);
    return { output: built.dataSync() as Float32Array, inputGrads, weightGrads };
  });
}

function compare(
  label: string,
  ourLayer: Layer,
  theirLayer: tfl.layers.Layer,
  inputs: Inputs,
  seed: number,
  before?: (x: tf.Tensor) => tf.Tensor,
): void {
  const random = new Random(seed);
  const mine = ours(ourLayer, inputs, (size) => randomValues(size, random));
  const reference = theirs(theirLayer, ourLayer, inputs, mine.w, before);
  const tolerance = { absolute: 1e-4, relative: 1e-4 };
  assertClose(mine.output, reference.output, { ...tolerance, label: `${label} output` });
  reference.inputGrads.forEach((grad, index) =>
    assertClose(mine.inputGrads[index]!, grad, { ...tolerance, label: `${label} input ${index} gradient` }),
  );
  reference.weightGrads.forEach((grad, index) =>
    assertClose(mine.weightGrads[index]!, grad, {
      ...tolerance,
      label: `${label} ${ourLayer.parameters[index]!.name} gradient`,
    }),
  );
}

test('Embedding matches tfjs-layers: lookups and the embeddings gradient with repeated indices', () => {
  const indices = {
    shapes: [[3, 4]],
    values: [Float32Array.from([1, 2, 0, 0, 4, 4, 4, 1, 3, 0, 0, 0])],
    differentiable: false,
  };
  compare(
    'Embedding',
    layers.embedding({ inputDim: 5, outputDim: 3 }),
    tfl.layers.embedding({ inputDim: 5, outputDim: 3 }),
    indices,
    1,
  );
});

test('Conv1D matches tfjs-layers for valid, same, strided, causal and dilated convolutions', () => {
  const configs = [
    { filters: 3, kernelSize: 3 },
    { filters: 2, kernelSize: 3, padding: 'same', activation: 'relu' },
    { filters: 2, kernelSize: 2, strides: 2, padding: 'same' },
    { filters: 2, kernelSize: 3, padding: 'valid', strides: 3, useBias: false },
  ] as const;
  configs.forEach((config, index) => {
    compare(
      `Conv1D ${JSON.stringify(config)}`,
      layers.conv1d(config),
      tfl.layers.conv1d({ ...config }),
      randomInputs([[2, 8, 3]], 10 + index),
      20 + index,
    );
  });
  // tfjs-layers has no causal Conv1D: it is a valid Conv1D after (kernelSize − 1)·dilationRate zero steps.
  const causal = { filters: 3, kernelSize: 3, activation: 'tanh' } as const;
  const padFront = (x: tf.Tensor) =>
    tf.pad(x, [
      [0, 0],
      [2, 0],
      [0, 0],
    ]);
  compare(
    'causal Conv1D',
    layers.conv1d({ ...causal, padding: 'causal' }),
    tfl.layers.conv1d(causal),
    randomInputs([[2, 8, 3]], 15),
    25,
    padFront,
  );
  // tfjs has no gradient of dilated conv1d: forward only.
  const dilated = layers.conv1d({ filters: 2, kernelSize: 2, padding: 'causal', dilationRate: 2 });
  const reference = tfl.layers.conv1d({ filters: 2, kernelSize: 2, dilationRate: 2 });
  const x = randomValues(2 * 8 * 3, new Random(3));
  const output = dilated.apply(tensor(x, [2, 8, 3]));
  reference.apply(tf.zeros([2, 10, 3]));
  reference.setWeights(
    dilated.parameters.map((parameter) =>
      tf.tensor(parameter.tensor.toFloat32Array(), parameter.tensor.shape as number[]),
    ),
  );
  const expected = (
    reference.apply(
      tf.pad(tf.tensor(x, [2, 8, 3]), [
        [0, 0],
        [2, 0],
        [0, 0],
      ]),
    ) as tf.Tensor
  ).dataSync();
  assertClose(output.values, expected, { absolute: 1e-5, label: 'dilated causal Conv1D' });
});

test('Conv3D matches tfjs-layers: valid and same, strided, with activation', () => {
  compare(
    'Conv3D valid',
    layers.conv3d({ filters: 2, kernelSize: 2 }),
    tfl.layers.conv3d({ filters: 2, kernelSize: 2 }),
    randomInputs([[2, 3, 4, 3, 2]], 30),
    31,
  );
  const config = {
    filters: 3,
    kernelSize: [2, 3, 2],
    strides: [1, 2, 2],
    padding: 'same',
    activation: 'relu',
  } as const;
  compare(
    'Conv3D same',
    layers.conv3d(config),
    tfl.layers.conv3d({ ...config, kernelSize: [...config.kernelSize], strides: [...config.strides] }),
    randomInputs([[1, 4, 5, 4, 2]], 32),
    33,
  );
});

test('Reshape, UpSampling2D (nearest on one example, bilinear square) and Masking match tfjs-layers', () => {
  compare(
    'Reshape',
    layers.reshape({ targetShape: [-1, 4] }),
    tfl.layers.reshape({ targetShape: [-1, 4] }),
    randomInputs([[2, 6, 2]], 40),
    41,
  );
  // tfjs's CPU nearest-neighbour gradient is wrong past the first example (see sequence-ops.test.ts).
  compare(
    'UpSampling2D nearest',
    layers.upSampling2d({ size: [2, 3] }),
    tfl.layers.upSampling2d({ size: [2, 3] }),
    randomInputs([[1, 3, 3, 2]], 42),
    43,
  );
  compare(
    'UpSampling2D bilinear',
    layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }),
    tfl.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }),
    randomInputs([[2, 3, 3, 2]], 44),
    45,
  );
  const padded = randomInputs([[2, 4, 3]], 46);
  padded.values[0]!.fill(0.5, 3, 6);
  padded.values[0]!.fill(0.5, 21, 24);
  // tfjs cannot differentiate Masking (no gradient for Any): forward here, gradient in sequence-ops.test.ts.
  const forwardOnly = { ...padded, differentiable: false };
  compare('Masking', layers.masking({ maskValue: 0.5 }), tfl.layers.masking({ maskValue: 0.5 }), forwardOnly, 47);
});

test('Concatenate and Add match tfjs-layers, gradients to every input', () => {
  compare(
    'Concatenate',
    layers.concatenate(),
    tfl.layers.concatenate(),
    randomInputs(
      [
        [2, 3, 2],
        [2, 3, 4],
      ],
      50,
    ),
    51,
  );
  compare(
    'Concatenate axis 1',
    layers.concatenate({ axis: 1 }),
    tfl.layers.concatenate({ axis: 1 }),
    randomInputs(
      [
        [2, 3, 2],
        [2, 1, 2],
      ],
      52,
    ),
    53,
  );
  compare(
    'Add',
    layers.add(),
    tfl.layers.add({}),
    randomInputs(
      [
        [2, 3, 2],
        [2, 3, 2],
        [2, 3, 2],
      ],
      54,
    ),
    55,
  );
});
