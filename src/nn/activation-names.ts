// Activation names, as Keras spells them in layer options, mapped to their ops.
import { fail } from '../errors.js';
import { relu, sigmoid, softmax, tanh } from '../ops/nn/activations.js';
import type { Tensor } from '../tensor/tensor.js';
import type { CallOptions } from './layer.js';

export type ActivationName = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';

const ACTIVATIONS: Record<ActivationName, (input: Tensor) => Tensor> = {
  linear: (input) => input,
  relu,
  sigmoid,
  tanh,
  softmax,
};

/** Checks an activation option; undefined and null mean 'linear' as in Keras. */
export function checkActivation(layer: string, activation: unknown): ActivationName {
  if (activation === undefined || activation === null) return 'linear';
  if (typeof activation !== 'string' || !(activation in ACTIVATIONS)) {
    fail(
      layer,
      'activation',
      `must be one of ${Object.keys(ACTIVATIONS)
        .map((name) => `'${name}'`)
        .join(', ')}`,
      activation,
    );
  }
  return activation as ActivationName;
}

export function applyActivation(name: ActivationName, input: Tensor): Tensor {
  return ACTIVATIONS[name](input);
}

/**
 * A layer that ends in an activation and can also run without it. Sequential uses this to train a
 * softmax output with the fused, numerically stable softmax cross-entropy on its logits, as Keras does.
 */
export interface EndsInActivation {
  readonly activation: ActivationName;
  callWithoutActivation(input: Tensor, options: CallOptions): Tensor;
}

export function endsInActivation(layer: object): layer is EndsInActivation {
  return 'activation' in layer && typeof (layer as EndsInActivation).callWithoutActivation === 'function';
}
