// Embedding: Keras's lookup of a learned vector per token index, [batch, steps] → [batch, steps,
// outputDim], weight 'embeddings' [inputDim, outputDim]. With maskZero, index 0 is padding: the
// layer makes the mask (1 where the index is not 0) that masking layers pass on to the pooling.
//
// Indices: int32 tensors, or float32 tensors of whole numbers (what fit's float32 datasets and
// tfjs hold; tfjs casts them to int32); anything else, or an index outside [0, inputDim), throws.
import { fail } from '../../errors.js';
import { checkExtent, checkOutputShape } from '../../geometry/layout.js';
import { embeddingLookup, indexValues } from '../../ops/nn/embedding.js';
import type { Random } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkInitializer, initialize, type InitializerName } from '../initializers.js';
import { Layer } from '../layer.js';
import type { CallOptions, ConfigObject, LayerConfig, LayerParameter, LayerShape } from '../layer.js';

export interface EmbeddingConfig extends LayerConfig {
  /** Vocabulary size: indices lie in [0, inputDim). */
  inputDim: number;
  /** Length of each vector. */
  outputDim: number;
  /** Index 0 is padding: the layer outputs a mask for the layers after it (default false). */
  maskZero?: boolean;
  /** Default 'randomUniform' (Keras's 'uniform', U(−0.05, 0.05)). */
  embeddingsInitializer?: InitializerName;
  /** tfjs's fixed sequence length: the inputShape [inputLength] when inputShape is not given. */
  inputLength?: number;
}

function positiveInteger(name: string, value: unknown): number {
  return checkExtent('Embedding', name, value, 1);
}

export class Embedding extends Layer<EmbeddingConfig> {
  readonly className = 'Embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly maskZero: boolean;
  readonly embeddingsInitializer: InitializerName;
  readonly inputLength: number | null;

  constructor(config: EmbeddingConfig) {
    const inputLength = config?.inputLength;
    const inputShape = config?.inputShape ?? (inputLength === undefined ? undefined : [inputLength]);
    super(inputShape === undefined ? config : { ...config, inputShape });
    this.inputDim = positiveInteger('inputDim', config.inputDim);
    this.outputDim = positiveInteger('outputDim', config.outputDim);
    checkOutputShape('Embedding', 'outputDim', [this.inputDim, this.outputDim], this.outputDim, 'an embedding matrix');
    this.maskZero = config.maskZero ?? false;
    if (typeof this.maskZero !== 'boolean') fail('Embedding', 'maskZero', 'must be a boolean', config.maskZero);
    this.inputLength = inputLength === undefined ? null : positiveInteger('inputLength', inputLength);
    this.embeddingsInitializer = checkInitializer(
      'Embedding',
      'embeddingsInitializer',
      config.embeddingsInitializer,
      'randomUniform',
    );
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    if (inputShape.length < 2) fail('Embedding', 'input', 'must have rank at least 2 [batch, steps]', inputShape);
    return [...inputShape, this.outputDim];
  }

  call(input: Tensor, _options: CallOptions): Tensor {
    return embeddingLookup(this.parameters[0]!.tensor, input);
  }

  /** With maskZero: 1 where the index is not 0, shaped like the input; otherwise none. */
  override computeMask(input: Tensor, _mask: Tensor | null): Tensor | null {
    if (!this.maskZero) return null;
    const indices = indexValues('Embedding', input, this.inputDim);
    const mask = Tensor.allocate(input.shape);
    const target = mask.values;
    for (let index = 0; index < target.length; index++) target[index] = indices[index] === 0 ? 0 : 1;
    return mask;
  }

  getConfig(): ConfigObject {
    const config: ConfigObject = {
      ...this.baseConfig(),
      inputDim: this.inputDim,
      outputDim: this.outputDim,
      embeddingsInitializer: this.embeddingsInitializer,
      maskZero: this.maskZero,
    };
    if (this.inputLength !== null) config.inputLength = this.inputLength;
    return config;
  }

  protected override createParameters(_inputShape: LayerShape, random: Random): LayerParameter[] {
    const shape = [this.inputDim, this.outputDim];
    return [{ name: 'embeddings', tensor: initialize(this.embeddingsInitializer, shape, random), trainable: true }];
  }
}

/**
 * Keras's Embedding.
 * @example embedding({ inputDim: 1000, outputDim: 16, maskZero: true, inputShape: [40] }) // [null, 40] → [null, 40, 16]
 */
export function embedding(config: EmbeddingConfig): Embedding {
  return new Embedding(config);
}
