// Learning-rate schedules: Keras's formulas checked on hand-worked numbers, evaluated once per
// optimizer step at the step count before it (0 first), serialised with the optimizer's config.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  adam,
  cosineDecay,
  exponentialDecay,
  LearningRateSchedule,
  optimizerFromConfig,
  piecewiseConstantDecay,
  rmsprop,
  sgd,
  tensor,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';

test('exponentialDecay: 0.1 · 0.5^(step / 10), floored exponent with staircase', () => {
  const smooth = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
  // 0.1·0.5^0 = 0.1; 0.1·0.5^0.5 = 0.0707107; 0.1·0.5^2 = 0.025; 0.1·0.5^2.5 = 0.0176777
  assertClose(
    [0, 5, 20, 25].map((step) => smooth.rateAt(step)),
    [0.1, 0.070710678, 0.025, 0.01767767],
  );
  const stairs = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true });
  assertClose(
    [0, 9, 10, 25].map((step) => stairs.rateAt(step)),
    [0.1, 0.1, 0.05, 0.025],
  );
});

test('piecewiseConstantDecay: values[0] through the first boundary inclusive, the last after all', () => {
  const schedule = piecewiseConstantDecay({ boundaries: [3, 6], values: [1, 0.5, 0.1] });
  assert.deepEqual(
    [0, 3, 4, 6, 7, 100].map((step) => schedule.rateAt(step)),
    [1, 1, 0.5, 0.5, 0.1, 0.1],
  );
});

test('cosineDecay: ½(1 + cos(π·step/decaySteps)) scaled to [alpha, 1], held after decaySteps; linear warmup', () => {
  const schedule = cosineDecay({ initialLearningRate: 1, decaySteps: 4, alpha: 0.2 });
  // step 1: 0.8·½(1 + cos(π/4)) + 0.2 = 0.8·0.8535534 + 0.2 = 0.8828427; step 2: 0.8·0.5 + 0.2 = 0.6
  assertClose(
    [0, 1, 2, 4, 9].map((step) => schedule.rateAt(step)),
    [1, 0.88284271, 0.6, 0.2, 0.2],
  );
  const warm = cosineDecay({ initialLearningRate: 0, decaySteps: 2, warmupTarget: 0.1, warmupSteps: 4 });
  // warmup: 0.1·step/4 for steps 0-3; then 0.1·½(1 + cos(π·(step − 4)/2)): 0.1, 0.05, 0 (held)
  assertClose(
    [0, 2, 4, 5, 6, 50].map((step) => warm.rateAt(step)),
    [0, 0.05, 0.1, 0.05, 0, 0],
  );
});

test('an optimizer evaluates its schedule once per step, at its step count before the step', () => {
  const optimizer = sgd({ learningRate: piecewiseConstantDecay({ boundaries: [1], values: [1, 0.25] }) });
  const parameter = tensor([0], [1]);
  const moves: number[] = [];
  for (let step = 0; step < 4; step++) {
    assert.equal(optimizer.currentLearningRate, step <= 1 ? 1 : 0.25);
    const before = parameter.values[0]!;
    parameter.grad = tensor([1], [1]);
    optimizer.applyGradients([{ name: 'w', tensor: parameter }]);
    moves.push(before - parameter.values[0]!);
  }
  // Steps 0 and 1 (iterations <= boundary 1) use 1; steps 2 and 3 use 0.25: w moves by lr·g.
  assert.deepEqual(moves, [1, 1, 0.25, 0.25]);
});

test("Adam with a schedule follows Keras's update with each step's rate from the schedule", () => {
  const schedule = exponentialDecay({ initialLearningRate: 0.01, decaySteps: 1, decayRate: 0.5 });
  const optimizer = adam({ learningRate: schedule });
  const parameter = tensor([1, -1], [2]);
  const grads = [
    [0.3, -0.2],
    [0.1, 0.4],
    [-0.5, 0.2],
  ];
  const [m, v, w] = [
    [0, 0],
    [0, 0],
    [1, -1],
  ];
  grads.forEach((grad, step) => {
    parameter.grad = tensor(grad, [2]);
    optimizer.applyGradients([{ name: 'w', tensor: parameter }]);
    const t = step + 1;
    const rate = (0.01 * 0.5 ** step * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
    grad.forEach((g, index) => {
      m[index] = 0.9 * m[index]! + 0.1 * g;
      v[index] = 0.999 * v[index]! + 0.001 * g * g;
      w[index] = w[index]! - (rate * m[index]!) / (Math.sqrt(v[index]!) + 1e-7);
    });
    assertClose(parameter.values, w, { label: `step ${step}` });
  });
});

test('schedules serialise in the optimizer config and come back through optimizerFromConfig', () => {
  const optimizer = rmsprop({ learningRate: cosineDecay({ initialLearningRate: 0.01, decaySteps: 100, alpha: 0.1 }) });
  const config = JSON.parse(JSON.stringify(optimizer.getConfig()));
  assert.deepEqual(config.learningRate, {
    className: 'CosineDecay',
    config: { initialLearningRate: 0.01, decaySteps: 100, alpha: 0.1, warmupTarget: null, warmupSteps: 0 },
  });
  const rebuilt = optimizerFromConfig({ className: 'RMSprop', config });
  assert.ok(rebuilt.learningRate instanceof LearningRateSchedule);
  assert.equal(
    rebuilt.learningRate.rateAt(50),
    optimizer.learningRate instanceof LearningRateSchedule ? optimizer.learningRate.rateAt(50) : NaN,
  );
});

test('a schedule of your own: extend LearningRateSchedule; bad rates and configs throw', () => {
  class Halving extends LearningRateSchedule {
    readonly className = 'Halving';
    rateAt(step: number): number {
      return step < 2 ? 0.5 ** step : -1;
    }
    getConfig() {
      return {};
    }
  }
  const optimizer = sgd({ learningRate: new Halving() });
  const parameter = tensor([0], [1]);
  for (let step = 0; step < 2; step++) {
    parameter.grad = tensor([1], [1]);
    optimizer.applyGradients([{ name: 'w', tensor: parameter }]);
  }
  assert.equal(parameter.values[0], -1.5);
  parameter.grad = tensor([1], [1]);
  assert.throws(
    () => optimizer.applyGradients([{ name: 'w', tensor: parameter }]),
    /schedule Halving must give a finite rate >= 0 at step 2/,
  );
  assert.throws(
    () => exponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5 }),
    /decaySteps must be a positive number/,
  );
  assert.throws(() => piecewiseConstantDecay({ boundaries: [5, 2], values: [1, 2, 3] }), /strictly increasing/);
  assert.throws(() => piecewiseConstantDecay({ boundaries: [5], values: [1] }), /must be a list of 2 rates/);
  assert.throws(() => cosineDecay({ initialLearningRate: 1, decay_steps: 10 } as never), /did you mean 'decaySteps'\?/);
  assert.throws(() => sgd({ learningRate: 'fast' as never }), /SGD: learningRate must be a finite number >= 0/);
});
