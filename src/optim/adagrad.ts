// Adagrad with Keras's defaults and Keras's update (keras.optimizers.Adagrad):
//   a ← a + g²  (a starts at initialAccumulatorValue, 0.1);  w ← w − lr·g / √(a + ε)
// ε (1e-7) sits inside the square root. tf.train.adagrad is the same update with ε fixed to its
// backend's epsilon (1e-7 on the CPU and WebAssembly backends, 1e-4 on WebGL without float32),
// not configurable. The update is the 'adagradUpdate' kernel (the reference: float64, rounded to
// float32 once per value; on webgpu float32 on the GPU).
import { kernel } from '../kernels/backend.js';
import { Optimizer, type HyperparametersOf } from './optimizer.js';
import type { LearningRate } from './schedules.js';

export interface AdagradConfig {
  /** Default 0.001; a number or a schedule. */
  learningRate?: LearningRate;
  /** The accumulator's starting value; default 0.1. */
  initialAccumulatorValue?: number;
  /** Default 1e-7 (Keras's). */
  epsilon?: number;
}

const ADAGRAD: HyperparametersOf<AdagradConfig> = {
  initialAccumulatorValue: { default: 0.1, min: 0, max: Infinity },
  epsilon: { default: 1e-7, min: 0, max: Infinity },
};

export class Adagrad extends Optimizer {
  declare readonly initialAccumulatorValue: number;
  declare readonly epsilon: number;

  protected override readonly updatesOnKernels = true;

  constructor(config: AdagradConfig = {}) {
    super('Adagrad', config, ADAGRAD, 0.001);
  }

  protected slotNames() {
    return ['accumulator'];
  }

  protected override initialSlotValue(): number {
    return this.initialAccumulatorValue;
  }

  protected update(values: Float32Array, grad: Float32Array, slots: Record<string, Float32Array>): void {
    kernel('adagradUpdate')(values, grad, slots.accumulator!, {
      learningRate: this.stepLearningRate,
      epsilon: this.epsilon,
    });
  }
}

/**
 * Keras's Adagrad.
 * @example adagrad()                      // learningRate 0.001, initialAccumulatorValue 0.1, epsilon 1e-7
 * @example adagrad({ learningRate: 0.05 })
 */
export function adagrad(config: AdagradConfig = {}): Adagrad {
  return new Adagrad(config);
}
