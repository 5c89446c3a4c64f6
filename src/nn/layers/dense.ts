// Dense: Keras's fully connected layer, x·kernel + bias then an activation, on the dense op.
import { fail } from '../../errors.js';
import { checkExtent, checkOutputShape } from '../../geometry/layout.js';
import { checkKnownOptions, optionKeys } from '../../ops/checks.js';
import { dense as denseOp } from '../../ops/nn/matmul.js';
import type { Random } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import { applyActivation, checkActivation, type ActivationName } from '../activation-names.js';
import { checkInitializer, kernelAndBias, type InitializerName } from '../initializers.js';
import { Layer } from '../layer.js';
import type { CallOptions, ConfigObject, LayerConfig, LayerParameter, LayerShape, ParameterShape } from '../layer.js';
import { LAYER_CONFIG_KEYS } from '../layer-options.js';

export interface DenseConfig extends LayerConfig {
  units: number;
  activation?: ActivationName | null;
  /** Default true. */
  useBias?: boolean;
  /** Default 'glorotUniform'. */
  kernelInitializer?: InitializerName;
  /** Default 'zeros'. */
  biasInitializer?: InitializerName;
}

const DENSE_KEYS = optionKeys<DenseConfig>({
  ...LAYER_CONFIG_KEYS,
  units: true,
  activation: true,
  useBias: true,
  kernelInitializer: true,
  biasInitializer: true,
});

export class Dense extends Layer<DenseConfig> {
  readonly className = 'Dense';
  override readonly supportsMasking = true;
  readonly units: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerName;
  readonly biasInitializer: InitializerName;

  constructor(config: DenseConfig) {
    super(config);
    checkKnownOptions('Dense', config, DENSE_KEYS);
    this.units = checkExtent('Dense', 'units', config.units, 1);
    this.activation = checkActivation('Dense', config.activation);
    this.useBias = config.useBias ?? true;
    this.kernelInitializer = checkInitializer('Dense', 'kernelInitializer', config.kernelInitializer, 'glorotUniform');
    this.biasInitializer = checkInitializer('Dense', 'biasInitializer', config.biasInitializer, 'zeros');
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    const features = inputShape[inputShape.length - 1];
    if (inputShape.length < 2 || typeof features !== 'number') {
      fail('Dense', 'input', 'must have rank at least 2 [batch, ..., features] with known features', inputShape);
    }
    return [...inputShape.slice(0, -1), this.units];
  }

  call(input: Tensor, options: CallOptions): Tensor {
    return applyActivation(this.activation, this.callWithoutActivation(input, options));
  }

  callWithoutActivation(input: Tensor, _options: CallOptions): Tensor {
    const [kernel, bias] = this.parameters;
    return denseOp(input, kernel!.tensor, this.useBias ? bias!.tensor : null);
  }

  getConfig(): ConfigObject {
    return {
      ...this.baseConfig(),
      units: this.units,
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer,
      biasInitializer: this.biasInitializer,
    };
  }

  override parameterShapes(inputShape: LayerShape): ParameterShape[] {
    const kernel = { name: 'kernel', shape: [inputShape[inputShape.length - 1]!, this.units] };
    checkOutputShape('Dense', 'units', kernel.shape, this.units, 'a kernel');
    return this.useBias ? [kernel, { name: 'bias', shape: [this.units] }] : [kernel];
  }

  protected override createParameters(inputShape: LayerShape, random: Random): LayerParameter[] {
    return kernelAndBias(this.parameterShapes(inputShape), this.kernelInitializer, this.biasInitializer, random);
  }
}

/**
 * Keras's Dense.
 * @example dense({ units: 128, activation: 'relu' })
 */
export function dense(config: DenseConfig): Dense {
  return new Dense(config);
}
