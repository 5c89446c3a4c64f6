// Stochastic gradient descent with Keras's momentum and Nesterov rules (keras.optimizers.SGD):
//   plain:     w ← w − lr·g
//   momentum:  u ← μ·u − lr·g;  w ← w + u
//   nesterov:  u ← μ·u − lr·g;  w ← w + μ·u − lr·g
// For a constant learning rate these equal tf.train.momentum's accumulate-then-scale form.
// The update itself is the 'sgdUpdate' kernel.
import { fail } from '../errors.js';
import { kernel } from '../kernels/backend.js';
import { checkKnownOptions, optionKeys } from '../ops/checks.js';
import { checkRate, Optimizer } from './optimizer.js';
import { checkLearningRate, learningRateConfig, type LearningRate } from './schedules.js';

export interface SGDConfig {
  /** Default 0.01 (Keras's); a number or a schedule. */
  learningRate?: LearningRate;
  /** Default 0: plain SGD. */
  momentum?: number;
  /** Default false. */
  nesterov?: boolean;
}

const SGD_KEYS = optionKeys<SGDConfig>({ learningRate: true, momentum: true, nesterov: true });

export class SGD extends Optimizer {
  readonly className = 'SGD';
  readonly learningRate: LearningRate;
  readonly momentum: number;
  readonly nesterov: boolean;

  constructor(config: SGDConfig = {}) {
    super();
    checkKnownOptions('SGD', config, SGD_KEYS);
    this.learningRate = checkLearningRate('SGD', config.learningRate, 0.01);
    this.momentum = checkRate('SGD', 'momentum', config.momentum ?? 0, 0, 1);
    this.nesterov = config.nesterov ?? false;
    if (typeof this.nesterov !== 'boolean') fail('SGD', 'nesterov', 'must be a boolean', this.nesterov);
  }

  getConfig() {
    return { learningRate: learningRateConfig(this.learningRate), momentum: this.momentum, nesterov: this.nesterov };
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
