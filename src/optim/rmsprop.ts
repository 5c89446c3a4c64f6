// RMSprop with Keras's defaults and Keras's exact update (keras.optimizers.RMSprop):
//   v ← ρ·v + (1 − ρ)·g²
//   centered: a ← ρ·a + (1 − ρ)·g;  d = v − a² + ε        otherwise d = v + ε
//   increment = lr·g / √d;  momentum > 0: m ← μ·m + increment, w ← w − m;  otherwise w ← w − increment
// ε sits inside the square root. tf.train.rmsprop agrees except when centered, where it takes
// √(v − (a² + ε)): ε subtracted, not added (equal when ε = 0). Slots: velocity, and momentum and
// averageGradient only when used (as Keras). The update is the 'rmspropUpdate' kernel (the reference:
// float64, rounded to float32 once per value; on webgpu float32 on the GPU).
import { kernel } from '../kernels/backend.js';
import { Optimizer, type HyperparametersOf } from './optimizer.js';
import type { LearningRate } from './schedules.js';

export interface RMSpropConfig {
  /** Default 0.001; a number or a schedule. */
  learningRate?: LearningRate;
  /** Decay of the mean square; default 0.9. */
  rho?: number;
  /** Default 0 (no momentum slot). */
  momentum?: number;
  /** Default 1e-7 (Keras's). */
  epsilon?: number;
  /** Divide by the gradient's estimated variance rather than its mean square; default false. */
  centered?: boolean;
}

const RMSPROP: HyperparametersOf<RMSpropConfig> = {
  rho: { default: 0.9, min: 0, max: 1 },
  momentum: { default: 0, min: 0, max: 1 },
  epsilon: { default: 1e-7, min: 0, max: Infinity },
  centered: { default: false },
};

export class RMSprop extends Optimizer {
  declare readonly rho: number;
  declare readonly momentum: number;
  declare readonly epsilon: number;
  declare readonly centered: boolean;

  protected override readonly updatesOnKernels = true;

  constructor(config: RMSpropConfig = {}) {
    super('RMSprop', config, RMSPROP, 0.001);
  }

  protected slotNames() {
    return ['velocity', ...(this.momentum > 0 ? ['momentum'] : []), ...(this.centered ? ['averageGradient'] : [])];
  }

  protected update(values: Float32Array, grad: Float32Array, slots: Record<string, Float32Array>): void {
    const { rho, momentum, epsilon, stepLearningRate: learningRate } = this;
    const { velocity, momentum: moment, averageGradient } = slots as Record<string, Float32Array | undefined>;
    const step = { learningRate, rho, momentum, epsilon };
    kernel('rmspropUpdate')(values, grad, velocity!, moment ?? null, averageGradient ?? null, step);
  }
}

/**
 * Keras's RMSprop.
 * @example rmsprop()                                   // learningRate 0.001, rho 0.9, momentum 0, epsilon 1e-7
 * @example rmsprop({ learningRate: 0.01, momentum: 0.9, centered: true })
 */
export function rmsprop(config: RMSpropConfig = {}): RMSprop {
  return new RMSprop(config);
}
