// Adam and SGD (plain, momentum, Nesterov) against TensorFlow.js's optimizers and Keras's update
// formula written out in float64; state saved mid-way resumes to the same numbers.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Adam, adam, optimizerFromConfig, sgd, tensor, type Optimizer } from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { gradients, runPoolkit, runTfjs, SIZE, start, STEPS, tf } from './optimizer-runs.js';

before(async () => {
  await tf.setBackend('cpu');
});

// tfjs adds ε to √v̂ (corrected), Keras to √v (uncorrected): at step t the two ε differ by a
// factor √(1 − β2^t) (0.03 at t = 1), visible only for gradients near 1e-5; so gradients here are >= 0.01.
test('Adam with Keras defaults matches tf.train.adam(0.001, 0.9, 0.999, 1e-7) step by step', () => {
  const grads = gradients(1, -2);
  const ours = runPoolkit(adam(), grads);
  const theirs = runTfjs(tf.train.adam(0.001, 0.9, 0.999, 1e-7), grads);
  ours.forEach((values, step) =>
    assertClose(values, theirs[step]!, { absolute: 1e-6, relative: 1e-6, label: `step ${step}` }),
  );
});

test("Adam follows Keras's formula exactly (ε outside √v, bias correction folded into the rate)", () => {
  const grads = gradients(2);
  const config = { learningRate: 0.01, beta1: 0.8, beta2: 0.95, epsilon: 1e-3 };
  const ours = runPoolkit(adam(config), grads);
  const m = new Float64Array(SIZE);
  const v = new Float64Array(SIZE);
  const w = Float64Array.from(start);
  grads.forEach((grad, step) => {
    const t = step + 1;
    const rate = (config.learningRate * Math.sqrt(1 - config.beta2 ** t)) / (1 - config.beta1 ** t);
    for (let index = 0; index < SIZE; index++) {
      m[index] = config.beta1 * m[index]! + (1 - config.beta1) * grad[index]!;
      v[index] = config.beta2 * v[index]! + (1 - config.beta2) * grad[index]! ** 2;
      w[index] = w[index]! - (rate * m[index]!) / (Math.sqrt(v[index]!) + config.epsilon);
    }
    assertClose(ours[step]!, w, { absolute: 1e-6, relative: 1e-5, label: `step ${step}` });
  });
});

test('SGD plain, with momentum and with Nesterov matches tf.train.sgd / tf.train.momentum', () => {
  const grads = gradients(3);
  const cases: [Optimizer, tf.Optimizer][] = [
    [sgd({ learningRate: 0.1 }), tf.train.sgd(0.1)],
    [sgd({ learningRate: 0.1, momentum: 0.9 }), tf.train.momentum(0.1, 0.9)],
    [sgd({ learningRate: 0.05, momentum: 0.5, nesterov: true }), tf.train.momentum(0.05, 0.5, true)],
  ];
  for (const [ours, theirs] of cases) {
    const mine = runPoolkit(ours, grads);
    const reference = runTfjs(theirs, grads);
    mine.forEach((values, step) =>
      assertClose(values, reference[step]!, {
        absolute: 1e-6,
        relative: 1e-5,
        label: `${JSON.stringify(ours.getConfig())} step ${step}`,
      }),
    );
  }
});

test('optimizer state saved after 3 steps resumes to the same parameters as an uninterrupted run', () => {
  const grads = gradients(4);
  const whole = runPoolkit(adam({ learningRate: 0.01 }), grads);
  const first = adam({ learningRate: 0.01 });
  const parameter = tensor(start, [SIZE]);
  for (const grad of grads.slice(0, 3)) {
    parameter.grad = tensor(grad, [SIZE]);
    first.applyGradients([{ name: 'w', tensor: parameter }]);
  }
  const state = first.getState();
  assert.equal(state.iterations, 3);
  assert.deepEqual(Object.keys(state.slots.w!), ['m', 'v']);
  const resumed = optimizerFromConfig({ className: state.className, config: state.config });
  assert.ok(resumed instanceof Adam);
  resumed.setState(state);
  for (const grad of grads.slice(3)) {
    parameter.grad = tensor(grad, [SIZE]);
    resumed.applyGradients([{ name: 'w', tensor: parameter }]);
  }
  assert.deepEqual(parameter.toFloat32Array(), whole[STEPS - 1]);
  assert.throws(() => sgd().setState(state), /must come from a SGD optimizer/);
});

test('a parameter without a gradient is left alone, and bad hyper-parameters throw', () => {
  const optimizer = adam();
  const parameter = tensor(start, [SIZE]);
  optimizer.applyGradients([{ name: 'w', tensor: parameter }]);
  assert.deepEqual(parameter.toFloat32Array(), start);
  assert.throws(() => adam({ beta1: 1.5 }), /beta1 must be a number in \[0, 1\]/);
  assert.throws(() => sgd({ learningRate: -1 }), /learningRate/);
  assert.throws(() => optimizerFromConfig('adadelta'), /must be one of Adam, SGD, RMSprop, Adagrad/);
});
