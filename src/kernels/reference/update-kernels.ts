// The reference updates of RMSprop and Adagrad (Keras's formulas; src/optim states them), in
// float64 and rounded to float32 once per value, as the optimizers computed them before they became
// kernels: the specification the GPU's float32 updates are tested against.
import type { UpdateKernels } from '../types.js';

export const referenceUpdateKernels: UpdateKernels = {
  rmspropUpdate(values, grad, velocity, moment, averageGradient, { learningRate, rho, momentum, epsilon }) {
    for (let index = 0; index < values.length; index++) {
      const gradient = grad[index]!;
      const meanSquare = rho * velocity[index]! + (1 - rho) * gradient * gradient;
      velocity[index] = meanSquare;
      let denominator = meanSquare + epsilon;
      if (averageGradient !== null) {
        const average = rho * averageGradient[index]! + (1 - rho) * gradient;
        averageGradient[index] = average;
        denominator = meanSquare - average * average + epsilon;
      }
      const increment = (learningRate * gradient) / Math.sqrt(denominator);
      if (moment === null) {
        values[index] = values[index]! - increment;
      } else {
        moment[index] = momentum * moment[index]! + increment;
        values[index] = values[index]! - moment[index]!;
      }
    }
  },
  adagradUpdate(values, grad, accumulator, { learningRate, epsilon }) {
    for (let index = 0; index < values.length; index++) {
      const gradient = grad[index]!;
      const total = accumulator[index]! + gradient * gradient;
      accumulator[index] = total;
      values[index] = values[index]! - (learningRate * gradient) / Math.sqrt(total + epsilon);
    }
  },
};
