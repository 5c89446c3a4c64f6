// Layers of the extra pooling kinds that share Keras's window options (poolSize, strides, padding):
// StochasticPooling2D, RandomPooling2D, MixedPooling2D and GatedPooling2D. Training calls draw from
// the call's seeded Random; inference calls use each kind's expectation and draw nothing.
import { fail } from '../../errors.js';
import type { PoolOptions } from '../../geometry/pool-geometry.js';
import { gatedPool2d, mixedPool2d, randomPool2d, stochasticPool2d } from '../../ops/pool/index.js';
import type { Random } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import type { CallOptions, ConfigObject, LayerParameter, LayerShape } from '../layer.js';
import { WindowPooling, type PoolingConfig } from './pooling.js';

/** Window pooling whose op depends on the call's training flag and Random. */
abstract class DrawingPooling extends WindowPooling {
  readonly spatialDims = 2;
  protected abstract drawPool(input: Tensor, options: PoolOptions, call: CallOptions): Tensor;

  protected pool = (input: Tensor, options: PoolOptions): Tensor =>
    this.drawPool(input, options, { training: false } as CallOptions);

  override call(input: Tensor, options: CallOptions): Tensor {
    return this.drawPool(input, this.poolOptions(), options);
  }
}

/** Zeiler & Fergus's stochastic pooling (see stochasticPool2d): a draw ∝ activation when training, Σ p·a otherwise. */
export class StochasticPooling2D extends DrawingPooling {
  readonly className = 'StochasticPooling2D';
  protected drawPool(input: Tensor, options: PoolOptions, call: CallOptions): Tensor {
    return stochasticPool2d(input, call.training ? { ...options, training: true, random: call.random } : options);
  }
}

/** Random pooling (see randomPool2d): a uniform draw per window when training, the average otherwise. */
export class RandomPooling2D extends DrawingPooling {
  readonly className = 'RandomPooling2D';
  protected drawPool(input: Tensor, options: PoolOptions, call: CallOptions): Tensor {
    return randomPool2d(input, call.training ? { ...options, training: true, random: call.random } : options);
  }
}

export interface MixedPoolingConfig extends PoolingConfig {
  /** 'layer' (default): one a for the layer; 'channel': one a per channel. */
  alphaScope?: 'layer' | 'channel';
  /** Initial a, default 0.5 (halfway between max and average). */
  alphaInitial?: number;
}

function checkScope(layer: string, name: string, scope: unknown): 'layer' | 'channel' {
  if (scope === undefined) return 'layer';
  if (scope !== 'layer' && scope !== 'channel') fail(layer, name, "must be 'layer' or 'channel'", scope);
  return scope;
}

function channelsOf(inputShape: LayerShape, channelsLast: boolean, layer: string): number {
  const channels = channelsLast ? inputShape[inputShape.length - 1] : inputShape[1];
  if (typeof channels !== 'number') fail(layer, 'input', 'must have a known channel count', inputShape);
  return channels;
}

/** Lee, Gallagher & Tu's mixed pooling (see mixedPool2d) with a learnable weight 'alpha'. */
export class MixedPooling2D extends WindowPooling<MixedPoolingConfig> {
  readonly className = 'MixedPooling2D';
  readonly spatialDims = 2;
  readonly alphaScope = checkScope('MixedPooling2D', 'alphaScope', this.config.alphaScope);
  protected pool = (input: Tensor, options: PoolOptions): Tensor =>
    mixedPool2d(input, this.parameters[0]!.tensor, options);

  override getConfig(): ConfigObject {
    return { ...super.getConfig(), alphaScope: this.alphaScope, alphaInitial: this.config.alphaInitial ?? 0.5 };
  }

  protected override createParameters(inputShape: LayerShape): LayerParameter[] {
    const initial = this.config.alphaInitial ?? 0.5;
    if (typeof initial !== 'number' || !Number.isFinite(initial))
      fail(this.className, 'alphaInitial', 'must be a finite number', initial);
    const size =
      this.alphaScope === 'layer' ? 1 : channelsOf(inputShape, this.dataFormat() === 'channelsLast', this.className);
    const alpha = Tensor.allocate([size]);
    alpha.values.fill(initial);
    return [{ name: 'alpha', tensor: alpha, trainable: true }];
  }
}

export interface GatedPoolingConfig extends PoolingConfig {
  /** 'layer' (default): one gate weight vector for the layer; 'channel': one per channel. */
  gateScope?: 'layer' | 'channel';
}

/** Lee, Gallagher & Tu's gated pooling (see gatedPool2d) with learnable 'gate_weights', initially 0 (s = 1/2). */
export class GatedPooling2D extends WindowPooling<GatedPoolingConfig> {
  readonly className = 'GatedPooling2D';
  readonly spatialDims = 2;
  readonly gateScope = checkScope('GatedPooling2D', 'gateScope', this.config.gateScope);
  protected pool = (input: Tensor, options: PoolOptions): Tensor =>
    gatedPool2d(input, this.parameters[0]!.tensor, options);

  override getConfig(): ConfigObject {
    return { ...super.getConfig(), gateScope: this.gateScope };
  }

  protected override createParameters(inputShape: LayerShape, _random: Random): LayerParameter[] {
    const [height, width] = this.poolOptions().kernelSize as number[];
    const taps = height! * width!;
    const shape =
      this.gateScope === 'layer'
        ? [taps]
        : [channelsOf(inputShape, this.dataFormat() === 'channelsLast', this.className), taps];
    const weights = Tensor.allocate(shape);
    weights.values.fill(0);
    return [{ name: 'gate_weights', tensor: weights, trainable: true }];
  }
}

/** @example stochasticPooling2d({ poolSize: 2 }) */
export const stochasticPooling2d = (config: PoolingConfig = {}): StochasticPooling2D => new StochasticPooling2D(config);
/** @example randomPooling2d({ poolSize: 2 }) */
export const randomPooling2d = (config: PoolingConfig = {}): RandomPooling2D => new RandomPooling2D(config);
/** @example mixedPooling2d({ poolSize: 2, alphaScope: 'channel' }) */
export const mixedPooling2d = (config: MixedPoolingConfig = {}): MixedPooling2D => new MixedPooling2D(config);
/** @example gatedPooling2d({ poolSize: 2 }) */
export const gatedPooling2d = (config: GatedPoolingConfig = {}): GatedPooling2D => new GatedPooling2D(config);
