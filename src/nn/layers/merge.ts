// Merge layers, Keras's Concatenate and Add: called on a list of tensors (symbolic ones in a
// functional model), they join or sum them. Masks: Add keeps a step where every input keeps it;
// Concatenate does the same along features and joins the masks when it joins along steps.
import { fail } from '../../errors.js';
import { concat } from '../../ops/nn/slice-concat.js';
import { add as addOp } from '../../ops/nn/elementwise.js';
import { Tensor } from '../../tensor/tensor.js';
import { Layer, type CallOptions, type ConfigObject, type LayerConfig, type LayerShape } from '../layer.js';
import { intersectMasks } from '../masks.js';

type Masks = Tensor | null | readonly (Tensor | null)[];

/** What a merge layer takes: at least two inputs of the same rank. */
export abstract class Merge<Config extends LayerConfig = LayerConfig> extends Layer<Config> {
  override readonly supportsMasking = true;

  /** The output shape for the inputs' shapes (at least two, same rank; checked by the caller). */
  protected abstract mergedShape(shapes: readonly LayerShape[]): LayerShape;
  protected abstract merge(inputs: readonly Tensor[]): Tensor;

  computeOutputShape(inputShape: LayerShape | readonly LayerShape[]): LayerShape {
    const shapes = this.inputList(inputShape) as readonly LayerShape[];
    if (shapes.some((shape) => !Array.isArray(shape) || shape.length !== shapes[0]!.length))
      fail(this.className, 'inputs', 'must all have the same rank', shapes);
    return this.mergedShape(shapes);
  }

  call(input: Tensor | readonly Tensor[], _options: CallOptions): Tensor {
    return this.merge(this.inputList(input) as readonly Tensor[]);
  }

  getConfig(): ConfigObject {
    return this.baseConfig();
  }

  /** Throws unless `input` is a list of at least two (tensors or shapes). */
  protected inputList(input: unknown): readonly unknown[] {
    if (!Array.isArray(input) || input.length < 2)
      fail(this.className, 'inputs', 'must be a list of at least 2 tensors', input);
    return input;
  }

  /** Shapes equal axis by axis except `skip`, an unknown extent matching anything; the merged extents. */
  protected matchShapes(shapes: readonly LayerShape[], skip: number | null): (number | null)[] {
    return shapes[0]!.map((_, axis) => {
      const known = shapes.map((shape) => shape[axis]!).filter((extent) => extent !== null);
      if (axis !== skip && known.some((extent) => extent !== known[0]))
        fail(
          this.className,
          'inputs',
          `must have equal shapes${skip === null ? '' : ` except along axis ${skip}`}`,
          shapes,
        );
      return known.length === 0 ? null : known[0]!;
    });
  }
}

/** Keras's Add: the element-wise sum of inputs of one shape. */
export class Add extends Merge {
  readonly className = 'Add';

  protected mergedShape(shapes: readonly LayerShape[]): LayerShape {
    return this.matchShapes(shapes, null);
  }

  protected merge(inputs: readonly Tensor[]): Tensor {
    return inputs.slice(1).reduce((sum, input) => addOp(sum, input), inputs[0]!);
  }

  override computeMask(_input: Tensor | readonly Tensor[], masks: Masks): Tensor | null {
    return Array.isArray(masks) ? intersectMasks(masks) : ((masks as Tensor | null) ?? null);
  }
}

export interface ConcatenateConfig extends LayerConfig {
  /** The axis to join along (negative counts from the end); default -1, the features. */
  axis?: number;
}

/** Keras's Concatenate: inputs joined along one axis; other extents must match. */
export class Concatenate extends Merge<ConcatenateConfig> {
  readonly className = 'Concatenate';
  readonly axis: number;

  constructor(config: ConcatenateConfig = {}) {
    super(config);
    this.axis = config.axis ?? -1;
    if (!Number.isInteger(this.axis) || this.axis === 0)
      fail('Concatenate', 'axis', 'must be a non-zero integer (axis 0 is the batch)', config.axis);
  }

  protected mergedShape(shapes: readonly LayerShape[]): LayerShape {
    const axis = this.resolvedAxis(shapes[0]!.length);
    const merged = this.matchShapes(shapes, axis);
    const extents = shapes.map((shape) => shape[axis]!);
    merged[axis] = extents.some((extent) => extent === null)
      ? null
      : extents.reduce((total, extent) => total + extent!, 0);
    return merged;
  }

  protected merge(inputs: readonly Tensor[]): Tensor {
    return concat(inputs, this.resolvedAxis(inputs[0]!.rank));
  }

  override computeMask(input: Tensor | readonly Tensor[], masks: Masks): Tensor | null {
    if (!Array.isArray(masks) || masks.every((mask) => mask === null)) return null;
    const inputs = input as readonly Tensor[];
    if (this.resolvedAxis(inputs[0]!.rank) !== 1) return intersectMasks(masks);
    const full = masks.map((mask, index) => mask ?? onesMask(inputs[index]!));
    return concat(full, 1);
  }

  override getConfig(): ConfigObject {
    return { ...this.baseConfig(), axis: this.axis };
  }

  private resolvedAxis(rank: number): number {
    const axis = this.axis < 0 ? this.axis + rank : this.axis;
    if (axis < 1 || axis >= rank)
      fail(
        'Concatenate',
        'axis',
        `must be in [1, ${rank}) or [${-rank + 1}, -1] for inputs of rank ${rank}`,
        this.axis,
      );
    return axis;
  }
}

/** An all-ones mask for an unmasked input: [batch, steps]. */
function onesMask(input: Tensor): Tensor {
  const mask = Tensor.allocate(input.shape.slice(0, 2));
  mask.values.fill(1);
  return mask;
}

/** Keras's Add. @example add().apply([a, b]) // two [null, 8] → [null, 8] */
export function add(config: LayerConfig = {}): Add {
  return new Add(config);
}

/** Keras's Concatenate. @example concatenate({ axis: -1 }).apply([a, b]) // [null, 8] and [null, 4] → [null, 12] */
export function concatenate(config: ConcatenateConfig = {}): Concatenate {
  return new Concatenate(config);
}
