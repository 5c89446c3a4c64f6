// InputLayer and input(): the entry points of a functional model. input({ shape }) returns the
// symbolic tensor that layers are called on; the InputLayer holds its shape (batch null) and dtype.
import { fail } from '../../errors.js';
import type { DType, Tensor } from '../../tensor/tensor.js';
import { Layer, type CallOptions, type ConfigObject, type LayerConfig, type LayerShape } from '../layer.js';
import { recordNode, type SymbolicTensor } from '../symbolic.js';

export interface InputLayerConfig extends LayerConfig {
  /** The shape with the batch axis first as null: [null, 28, 28, 1]; null extents are unknown. */
  batchInputShape: readonly (number | null)[];
  /** 'float32' (default) or 'int32' (token indices). */
  dtype?: DType;
}

export class InputLayer extends Layer<InputLayerConfig> {
  readonly className = 'InputLayer';
  override readonly supportsMasking = true;
  readonly batchInputShape: LayerShape;
  readonly dtype: DType;
  private symbolicOutput: SymbolicTensor | undefined;

  constructor(config: InputLayerConfig) {
    super(config);
    const shape = config.batchInputShape;
    const rule = 'must be a list [batch, ...] of positive integers or null (unknown), of rank at least 2';
    if (
      !Array.isArray(shape) ||
      shape.length < 2 ||
      shape.some((extent) => extent !== null && !(Number.isInteger(extent) && extent > 0))
    )
      fail('InputLayer', 'batchInputShape', rule, shape);
    this.batchInputShape = Object.freeze([null, ...shape.slice(1)]);
    this.dtype = config.dtype ?? 'float32';
    if (this.dtype !== 'float32' && this.dtype !== 'int32')
      fail('InputLayer', 'dtype', "must be 'float32' or 'int32'", config.dtype);
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  call(input: Tensor, _options: CallOptions): Tensor {
    return input;
  }

  /** The symbolic tensor of this input (made once: an input layer has one node). */
  get output(): SymbolicTensor {
    return (this.symbolicOutput ??= recordNode(this, [], false, { shape: this.batchInputShape, dtype: this.dtype }));
  }

  getConfig(): ConfigObject {
    return { ...this.baseConfig(), batchInputShape: [...this.batchInputShape], dtype: this.dtype, sparse: false };
  }
}

export interface InputConfig {
  /** The shape without the batch axis: [28, 28, 1]; null for an unknown extent ([null] for any length). */
  shape: readonly (number | null)[];
  name?: string;
  /** 'float32' (default) or 'int32'. */
  dtype?: DType;
}

/**
 * Keras's Input: the symbolic input of a functional model.
 * @example const tokens = input({ shape: [40] }); const x = layers.embedding({ inputDim: 100, outputDim: 8 }).apply(tokens);
 */
export function input(config: InputConfig): SymbolicTensor {
  if (config === null || typeof config !== 'object' || !Array.isArray(config.shape))
    fail('input', 'shape', 'must be given as { shape: [...] } (without the batch axis)', config);
  const layer = new InputLayer({ batchInputShape: [null, ...config.shape], name: config.name, dtype: config.dtype });
  return layer.output;
}
