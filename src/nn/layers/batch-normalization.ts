// BatchNormalization: Keras's layer with weights gamma, beta (trainable) and moving mean and
// variance (updated during training, not by the optimizer), on the batchNormalization op.
import { fail } from '../../errors.js';
import { checkKnownOptions, optionKeys } from '../../ops/checks.js';
import { batchNormalization as batchNormOp } from '../../ops/nn/batch-norm.js';
import type { Random } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import { initialize } from '../initializers.js';
import { Layer } from '../layer.js';
import type { CallOptions, ConfigObject, LayerConfig, LayerParameter, LayerShape, ParameterShape } from '../layer.js';
import { LAYER_CONFIG_KEYS } from '../layer-options.js';

export interface BatchNormalizationConfig extends LayerConfig {
  /** The feature axis; default −1. */
  axis?: number;
  /** Default 0.99. */
  momentum?: number;
  /** Default 1e-3. */
  epsilon?: number;
  /** Learn beta (default true). */
  center?: boolean;
  /** Learn gamma (default true). */
  scale?: boolean;
}

const BATCH_NORMALIZATION_KEYS = optionKeys<BatchNormalizationConfig>({
  ...LAYER_CONFIG_KEYS,
  axis: true,
  momentum: true,
  epsilon: true,
  center: true,
  scale: true,
});

export class BatchNormalization extends Layer<BatchNormalizationConfig> {
  readonly className = 'BatchNormalization';
  override readonly supportsMasking = true;
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;

  constructor(config: BatchNormalizationConfig = {}) {
    super(config);
    checkKnownOptions('BatchNormalization', config, BATCH_NORMALIZATION_KEYS);
    this.axis = config.axis ?? -1;
    this.momentum = config.momentum ?? 0.99;
    this.epsilon = config.epsilon ?? 1e-3;
    this.center = config.center ?? true;
    this.scale = config.scale ?? true;
    if (!Number.isInteger(this.axis)) fail('BatchNormalization', 'axis', 'must be an integer', this.axis);
    if (!(this.momentum >= 0 && this.momentum <= 1))
      fail('BatchNormalization', 'momentum', 'must be in [0, 1]', this.momentum);
    if (!(this.epsilon > 0)) fail('BatchNormalization', 'epsilon', 'must be positive', this.epsilon);
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    this.featureCount(inputShape);
    return inputShape;
  }

  call(input: Tensor, options: CallOptions): Tensor {
    const find = (name: string) => this.parameters.find((parameter) => parameter.name === name)?.tensor ?? null;
    return batchNormOp(input, {
      gamma: find('gamma'),
      beta: find('beta'),
      movingMean: find('moving_mean')!,
      movingVariance: find('moving_variance')!,
      training: options.training && this.trainable,
      momentum: this.momentum,
      epsilon: this.epsilon,
      axis: this.axis,
    });
  }

  getConfig(): ConfigObject {
    return {
      ...this.baseConfig(),
      axis: this.axis,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
    };
  }

  override parameterShapes(inputShape: LayerShape): ParameterShape[] {
    const shape = [this.featureCount(inputShape)];
    const names = [
      ...(this.scale ? ['gamma'] : []),
      ...(this.center ? ['beta'] : []),
      'moving_mean',
      'moving_variance',
    ];
    return names.map((name) => ({ name, shape }));
  }

  protected override createParameters(inputShape: LayerShape, random: Random): LayerParameter[] {
    return this.parameterShapes(inputShape).map(({ name, shape }) => ({
      name,
      tensor: initialize(name === 'gamma' || name === 'moving_variance' ? 'ones' : 'zeros', shape, random),
      trainable: !name.startsWith('moving_'),
    }));
  }

  private featureCount(inputShape: LayerShape): number {
    const axis = this.axis < 0 ? inputShape.length + this.axis : this.axis;
    const features = inputShape[axis];
    if (axis < 1 || typeof features !== 'number') {
      fail(
        'BatchNormalization',
        'axis',
        `must name a known, non-batch axis of the input [${inputShape.join(', ')}]`,
        this.axis,
      );
    }
    return features;
  }
}

/** @example batchNormalization() // after a conv2d, normalises each channel */
export function batchNormalization(config: BatchNormalizationConfig = {}): BatchNormalization {
  return new BatchNormalization(config);
}
