// Stochastic gradient descent with Keras's momentum and Nesterov rules (keras.optimizers.SGD):
//   plain:     w ← w − lr·g
//   momentum:  u ← μ·u − lr·g;  w ← w + u
//   nesterov:  u ← μ·u − lr·g;  w ← w + μ·u − lr·g
// For a constant learning rate these equal tf.train.momentum's accumulate-then-scale form.
// The update itself is the 'sgdUpdate' kernel.
import { kernel } from '../kernels/backend.js';
import { Optimizer, type HyperparametersOf } from './optimizer.js';
import type { LearningRate } from './schedules.js';

export interface SGDConfig {
  /** Default 0.01 (Keras's); a number or a schedule. */
  learningRate?: LearningRate;
  /** Default 0: plain SGD. */
  momentum?: number;
  /** Default false. */
  nesterov?: boolean;
}

const SGD_HYPERPARAMETERS: HyperparametersOf<SGDConfig> = {
  momentum: { default: 0, min: 0, max: 1 },
  nesterov: { default: false },
};

export class SGD extends Optimizer {
  declare readonly momentum: number;
  declare readonly nesterov: boolean;
  protected override readonly updatesOnKernels = true;

  constructor(config: SGDConfig = {}) {
    super('SGD', config, SGD_HYPERPARAMETERS, 0.01);
  }

  protected slotNames() {
    return ['momentum'] as const;
  }

  protected update(values: Float32Array, grad: Float32Array, slots: Record<string, Float32Array>): void {
    const { stepLearningRate: learningRate, momentum, nesterov } = this;
    kernel('sgdUpdate')(values, grad, slots.momentum!, { learningRate, momentum, nesterov });
  }
}

/**
 * Keras's SGD.
 * @example sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true })
 */
export function sgd(config: SGDConfig = {}): SGD {
  return new SGD(config);
}
