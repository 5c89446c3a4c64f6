// Adam with Keras's defaults and Keras's exact update (keras.optimizers.Adam):
//   t = iterations + 1;  lr_t = lr · √(1 − β2^t) / (1 − β1^t)
//   m ← m + (g − m)(1 − β1);  v ← v + (g² − v)(1 − β2);  w ← w − lr_t · m / (√v + ε)
// ε is added outside the square root of the uncorrected v (Kingma & Ba's "ε-hat" form).
// tf.train.adam (TensorFlow.js) puts ε beside the corrected √v̂ instead: the same update with ε
// scaled by √(1 − β2^t) (0.03 at t = 1), which shows only for gradients within a few orders of ε.
// The update itself is the 'adamUpdate' kernel (float64 arithmetic in this order, on every backend).
import { kernel } from '../kernels/backend.js';
import { Optimizer, type HyperparametersOf } from './optimizer.js';
import type { LearningRate } from './schedules.js';

export interface AdamConfig {
  /** Default 0.001; a number or a schedule (exponentialDecay, ...). */
  learningRate?: LearningRate;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-7 (Keras's). */
  epsilon?: number;
}

const ADAM: HyperparametersOf<AdamConfig> = {
  beta1: { default: 0.9, min: 0, max: 1 },
  beta2: { default: 0.999, min: 0, max: 1 },
  epsilon: { default: 1e-7, min: 0, max: Infinity },
};

export class Adam extends Optimizer {
  declare readonly beta1: number;
  declare readonly beta2: number;
  declare readonly epsilon: number;
  private stepRate = 0;
  protected override readonly updatesOnKernels = true;

  constructor(config: AdamConfig = {}) {
    super('Adam', config, ADAM, 0.001);
  }

  protected slotNames() {
    return ['m', 'v'] as const;
  }

  protected override beginStep(): void {
    const step = this.iterations + 1;
    this.stepRate = (this.stepLearningRate * Math.sqrt(1 - this.beta2 ** step)) / (1 - this.beta1 ** step);
  }

  protected update(values: Float32Array, grad: Float32Array, slots: Record<string, Float32Array>): void {
    const { m, v } = slots as { m: Float32Array; v: Float32Array };
    const step = {
      stepRate: this.stepRate,
      firstBlend: 1 - this.beta1,
      secondBlend: 1 - this.beta2,
      epsilon: this.epsilon,
    };
    kernel('adamUpdate')(values, grad, m, v, step);
  }
}

/**
 * Keras's Adam.
 * @example adam()                          // learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7
 * @example adam({ learningRate: 3e-4 })
 */
export function adam(config: AdamConfig = {}): Adam {
  return new Adam(config);
}
