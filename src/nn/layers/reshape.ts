// Reshape: Keras's layer that gives each example a new shape (the batch axis kept), one extent of
// targetShape may be -1 (inferred). A view over the same values, like the reshape op it calls.
import { fail } from '../../errors.js';
import { reshape as reshapeOp } from '../../ops/nn/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Layer, type CallOptions, type ConfigObject, type LayerConfig, type LayerShape } from '../layer.js';

export interface ReshapeConfig extends LayerConfig {
  /** The shape of each example, without the batch axis; one extent may be -1. */
  targetShape: readonly number[];
}

export class Reshape extends Layer<ReshapeConfig> {
  readonly className = 'Reshape';
  readonly targetShape: readonly number[];

  constructor(config: ReshapeConfig) {
    super(config);
    const target = config.targetShape;
    const rule = 'must be a list of positive integers, with at most one -1 (inferred)';
    if (!Array.isArray(target) || target.some((extent) => !Number.isInteger(extent) || (extent < 1 && extent !== -1)))
      fail('Reshape', 'targetShape', rule, target);
    if (target.filter((extent) => extent === -1).length > 1) fail('Reshape', 'targetShape', rule, target);
    this.targetShape = Object.freeze([...target]);
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    const rest = inputShape.slice(1);
    if (inputShape.length < 1) fail('Reshape', 'input', 'must have a batch axis', inputShape);
    const inferred = this.targetShape.indexOf(-1);
    if (rest.some((extent) => extent === null)) {
      if (inferred >= 0) return [inputShape[0]!, ...this.targetShape.map((extent) => (extent === -1 ? null : extent))];
      return [inputShape[0]!, ...this.targetShape];
    }
    const size = (rest as number[]).reduce((total, extent) => total * extent, 1);
    const known = this.targetShape.reduce((total, extent) => (extent === -1 ? total : total * extent), 1);
    const resolved = this.targetShape.map((extent) => (extent === -1 ? size / known : extent));
    if (!Number.isInteger(resolved[inferred] ?? 0) || resolved.reduce((total, extent) => total * extent, 1) !== size) {
      const rule = `must hold ${size} values per example (the input's [${rest.join(', ')}])`;
      fail('Reshape', 'targetShape', rule, this.targetShape);
    }
    return [inputShape[0]!, ...resolved];
  }

  call(input: Tensor, _options: CallOptions): Tensor {
    const [, ...target] = this.computeOutputShape([null, ...input.shape.slice(1)]);
    return reshapeOp(input, [input.shape[0]!, ...(target as number[])]);
  }

  getConfig(): ConfigObject {
    return { ...this.baseConfig(), targetShape: [...this.targetShape] };
  }
}

/**
 * Keras's Reshape.
 * @example reshape({ targetShape: [-1, 4] }) // [null, 6, 2] → [null, 3, 4]
 */
export function reshape(config: ReshapeConfig): Reshape {
  return new Reshape(config);
}
