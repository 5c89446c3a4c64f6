// RMSprop (plain, momentum, centered) and Adagrad against TensorFlow.js's optimizers step by step and
// against Keras's update written out in float64; their slots survive getState/setState and a
// checkpoint file, resuming to the numbers of an uninterrupted run.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import {
  Adagrad,
  adagrad,
  layers,
  optimizerFromConfig,
  RMSprop,
  rmsprop,
  sequential,
  tensor,
  type Optimizer,
} from '../../src/index.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/io/node.js';
import { assertClose } from '../helpers/assert-close.js';
import { applySteps, gradients, runPoolkit, runTfjs, SIZE, start, STEPS, tf } from './optimizer-runs.js';

before(async () => {
  await tf.setBackend('cpu');
});

function compareSteps(
  label: string,
  ours: Float32Array[],
  theirs: readonly ArrayLike<number>[],
  relative = 1e-5,
): void {
  ours.forEach((values, step) =>
    assertClose(values, theirs[step]!, { absolute: 1e-6, relative, label: `${label} step ${step}` }),
  );
}

test('RMSprop (Keras defaults, and with momentum) matches tf.train.rmsprop step by step', () => {
  const grads = gradients(21);
  compareSteps('rmsprop()', runPoolkit(rmsprop(), grads), runTfjs(tf.train.rmsprop(0.001, 0.9, 0, 1e-7), grads));
  compareSteps(
    'momentum 0.9',
    runPoolkit(rmsprop({ learningRate: 0.01, rho: 0.8, momentum: 0.9 }), grads),
    runTfjs(tf.train.rmsprop(0.01, 0.8, 0.9, 1e-7), grads),
  );
});

// tf.train.rmsprop centered computes √(v − (a² + ε)), Keras √(v − a² + ε): equal when ε = 0.
test('centered RMSprop matches tf.train.rmsprop with epsilon 0 (where its sign of ε cannot differ)', () => {
  const grads = gradients(22, -1);
  compareSteps(
    'centered',
    runPoolkit(rmsprop({ learningRate: 0.01, momentum: 0.5, centered: true, epsilon: 0 }), grads),
    runTfjs(tf.train.rmsprop(0.01, 0.9, 0.5, 0, true), grads),
    1e-4,
  );
});

/** Keras's RMSprop update in float64. */
function kerasRmsprop(
  grads: Float32Array[],
  config: { lr: number; rho: number; momentum: number; epsilon: number; centered: boolean },
) {
  const [velocity, average, moment, weights] = [
    new Float64Array(SIZE),
    new Float64Array(SIZE),
    new Float64Array(SIZE),
    Float64Array.from(start),
  ];
  return grads.map((grad) => {
    for (let index = 0; index < SIZE; index++) {
      const g = grad[index]!;
      velocity[index] = config.rho * velocity[index]! + (1 - config.rho) * g * g;
      average[index] = config.rho * average[index]! + (1 - config.rho) * g;
      const denominator = config.centered
        ? velocity[index]! - average[index]! ** 2 + config.epsilon
        : velocity[index]! + config.epsilon;
      const increment = (config.lr * g) / Math.sqrt(denominator);
      moment[index] = config.momentum * moment[index]! + increment;
      weights[index] = weights[index]! - (config.momentum > 0 ? moment[index]! : increment);
    }
    return Float64Array.from(weights);
  });
}

test("RMSprop follows Keras's formula exactly, centered with ε inside the square root", () => {
  const grads = gradients(23);
  for (const centered of [false, true]) {
    const config = { lr: 0.02, rho: 0.7, momentum: 0.3, epsilon: 1e-2, centered };
    const ours = runPoolkit(
      rmsprop({
        learningRate: config.lr,
        rho: config.rho,
        momentum: config.momentum,
        epsilon: config.epsilon,
        centered,
      }),
      grads,
    );
    compareSteps(`centered ${centered}`, ours, kerasRmsprop(grads, config));
  }
});

test('Adagrad (Keras defaults: accumulator from 0.1, ε 1e-7) matches tf.train.adagrad step by step', () => {
  const grads = gradients(24);
  compareSteps('adagrad()', runPoolkit(adagrad(), grads), runTfjs(tf.train.adagrad(0.001, 0.1), grads));
  compareSteps(
    'adagrad 0.05, accumulator 0.5',
    runPoolkit(adagrad({ learningRate: 0.05, initialAccumulatorValue: 0.5 }), grads),
    runTfjs(tf.train.adagrad(0.05, 0.5), grads),
  );
});

test("Adagrad follows Keras's formula with its epsilon: w ← w − lr·g / √(a + ε)", () => {
  const grads = gradients(25);
  const [lr, epsilon] = [0.1, 0.05];
  const accumulator = new Float64Array(SIZE).fill(0.2);
  const weights = Float64Array.from(start);
  const expected = grads.map((grad) => {
    grad.forEach((g, index) => {
      accumulator[index] = accumulator[index]! + g * g;
      weights[index] = weights[index]! - (lr * g) / Math.sqrt(accumulator[index]! + epsilon);
    });
    return Float64Array.from(weights);
  });
  compareSteps(
    'adagrad ε 0.05',
    runPoolkit(adagrad({ learningRate: lr, epsilon, initialAccumulatorValue: 0.2 }), grads),
    expected,
  );
});

test('slots: RMSprop keeps momentum and averageGradient only when used; Adagrad starts its accumulator at 0.1', () => {
  const slotsOf = (optimizer: Optimizer): string[] => {
    runPoolkit(optimizer, gradients(26).slice(0, 1));
    return Object.keys(optimizer.getState().slots.w!);
  };
  assert.deepEqual(slotsOf(rmsprop()), ['velocity']);
  assert.deepEqual(slotsOf(rmsprop({ momentum: 0.9, centered: true })), ['velocity', 'momentum', 'averageGradient']);
  const optimizer = adagrad();
  const parameter = tensor(start, [SIZE]);
  parameter.grad = tensor(new Float32Array(SIZE), [SIZE]);
  optimizer.applyGradients([{ name: 'w', tensor: parameter }]);
  assert.ok(optimizer.getState().slots.w!.accumulator!.every((value) => Math.abs(value - 0.1) < 1e-7));
});

test('getState / setState resume RMSprop and Adagrad to the numbers of an uninterrupted run', () => {
  const grads = gradients(27);
  const makers: (() => Optimizer)[] = [
    () => rmsprop({ learningRate: 0.01, momentum: 0.9, centered: true }),
    () => adagrad({ learningRate: 0.1 }),
  ];
  for (const make of makers) {
    const whole = runPoolkit(make(), grads);
    const first = make();
    const parameter = tensor(start, [SIZE]);
    applySteps(first, grads.slice(0, 3), parameter);
    const state = first.getState();
    const resumed = optimizerFromConfig({ className: state.className, config: state.config });
    resumed.setState(state);
    const rest = applySteps(resumed, grads.slice(3), parameter);
    assert.deepEqual(rest[rest.length - 1], whole[STEPS - 1], state.className);
  }
  const centered = rmsprop({ centered: true });
  const withoutAverage = { ...rmsprop().getState(), slots: { w: { velocity: new Float32Array(SIZE) } } };
  assert.throws(() => centered.setState(withoutAverage), /must hold 'averageGradient' for 'w'/);
});

test('a checkpoint file keeps RMSprop and Adagrad slots: training resumes exactly', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'poolkit-optim-'));
  try {
    for (const optimizerName of ['rmsprop', 'adagrad'] as const) {
      const build = () => {
        const model = sequential([layers.dense({ units: 2, inputShape: [3] })], { seed: 4 });
        model.compile({ optimizer: optimizerName, loss: 'meanSquaredError' });
        return model;
      };
      const x = tensor([1, 2, 3, -1, 0.5, 2], [2, 3]);
      const y = tensor([1, 0, 0, 1], [2, 2]);
      const whole = build();
      for (let step = 0; step < 4; step++) whole.trainOnBatch(x, y);
      const first = build();
      first.trainOnBatch(x, y);
      first.trainOnBatch(x, y);
      const path = join(folder, `${optimizerName}.bin`);
      await saveCheckpoint(path, first, { epochsDone: 0, settings: {}, history: [] });
      const loaded = await loadCheckpoint(path);
      const resumedOptimizer = optimizerFromConfig({
        className: loaded.optimizerState.className,
        config: loaded.optimizerState.config,
      });
      assert.ok(resumedOptimizer instanceof (optimizerName === 'rmsprop' ? RMSprop : Adagrad));
      loaded.model.compile({ optimizer: resumedOptimizer, loss: 'meanSquaredError' });
      resumedOptimizer.setState(loaded.optimizerState);
      loaded.model.trainOnBatch(x, y);
      loaded.model.trainOnBatch(x, y);
      loaded.model
        .getWeights()
        .forEach((weight, index) =>
          assert.deepEqual(
            weight.dataSync(),
            whole.getWeights()[index]!.dataSync(),
            `${optimizerName} weight ${index}`,
          ),
        );
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('bad hyper-parameters and misspelt options throw', () => {
  assert.throws(() => rmsprop({ rho: 1.5 }), /RMSprop: rho must be a number in \[0, 1\]/);
  assert.throws(() => rmsprop({ centered: 'yes' as never }), /RMSprop: centered must be a boolean/);
  assert.throws(() => rmsprop({ decay: 0.9 } as never), /RMSprop: options has no 'decay'/);
  assert.throws(() => adagrad({ initial_accumulator_value: 0.1 } as never), /did you mean 'initialAccumulatorValue'\?/);
  assert.throws(() => adagrad({ epsilon: -1 }), /Adagrad: epsilon must be a number/);
  assert.ok(optimizerFromConfig('RMSProp') instanceof RMSprop); // tfjs-layers' spelling
});
