// What the learnable window kinds share (GeM's p, LSE's r, DPP's α and λ, mixed pooling's a, the gate
// and rank weights of gated and ordinal pooling): value checks of a parameter tensor, and layer
// weights holding one value (or one per window tap) per layer or per channel, with the layer
// options that choose the scope and the initial value. Not a kind file: index.ts does not list it.
import { fail } from '../../errors.js';
import { full } from '../../tensor/create.js';
import type { PoolGeometry } from '../../geometry/pool-geometry.js';
import { perDimension } from '../../geometry/layout.js';
import type { Shape, Tensor } from '../../tensor/tensor.js';
import { layerChannels, scopeOption } from '../arguments.js';
import type { LayerWeights } from '../kind.js';
import type { OptionSpec } from '../options.js';

/** Refuses a parameter holding NaN or ±Infinity (and 0 where `nonZero`): the formula would not be defined. */
export function checkParameterValues(op: string, name: string, parameter: Tensor, nonZero = false): void {
  const bad = parameter.values.find((value) => !Number.isFinite(value) || (nonZero && value === 0));
  if (bad !== undefined)
    fail(op, name, nonZero ? 'must hold finite non-zero numbers' : 'must hold finite numbers', bad);
}

export interface ScalarWeightSpec {
  /** The weight's name within the layer (Keras style): 'p', 'alpha'. */
  readonly weight: string;
  /** The layer option choosing 'layer' or 'channel'; absent: always one per channel. */
  readonly scope?: string;
  /** The layer option holding the initial value, and its default. */
  readonly initial: string;
  readonly fallback: number;
  /** The initial value must not be 0 (GeM's p). */
  readonly nonZero?: boolean;
}

/** One weight of shape [1] (per layer) or [channels] (per channel), every entry at the initial value. */
export function scalarWeights(spec: ScalarWeightSpec): LayerWeights {
  const weights: LayerWeights = {
    shapes: (context) => {
      const scope =
        spec.scope === undefined ? 'channel' : scopeOption(context.owner, spec.scope, context.options[spec.scope]);
      return [{ name: spec.weight, shape: [scope === 'layer' ? 1 : layerChannels(context)] }];
    },
    initialize: (context) => {
      const initial = context.options[spec.initial] ?? spec.fallback;
      if (typeof initial !== 'number' || !Number.isFinite(initial) || (spec.nonZero === true && initial === 0)) {
        fail(
          context.owner,
          spec.initial,
          spec.nonZero ? 'must be a finite non-zero number' : 'must be a finite number',
          initial,
        );
      }
      return [full(weights.shapes(context)[0]!.shape, initial)];
    },
  };
  return weights;
}

/** The shapes an op accepts for a scalar weight: [1] (shared) or [channels]. */
export function scalarWeightShapes(geometry: PoolGeometry): Shape[] {
  return [[1], [geometry.channels]];
}

/** The shapes an op accepts for one weight per window tap: [taps] (shared) or [channels, taps]. */
export function tapWeightShapes(geometry: PoolGeometry): Shape[] {
  const taps = geometry.kernelDepth * geometry.kernelHeight * geometry.kernelWidth;
  return [[taps], [geometry.channels, taps]];
}

/**
 * One weight per window tap, [taps] per layer or [channels, taps] per channel as the layer option
 * `scope` says, every entry at `initial(taps)`.
 */
export function tapWeights(weight: string, scope: string, initial: (taps: number) => number): LayerWeights {
  const weights: LayerWeights = {
    shapes: (context) => {
      const kernelSize = perDimension(context.owner, 'poolSize', context.options.kernelSize, context.rank, 1);
      const taps = kernelSize.reduce((total, size) => total * size, 1);
      const perLayer = scopeOption(context.owner, scope, context.options[scope]) === 'layer';
      return [{ name: weight, shape: perLayer ? [taps] : [layerChannels(context), taps] }];
    },
    initialize: (context) => {
      const shape = weights.shapes(context)[0]!.shape;
      return [full(shape, initial(shape[shape.length - 1]!))];
    },
  };
  return weights;
}

/** Several weights as one: shapes and initial tensors in the given order. */
export function joinWeights(...parts: readonly LayerWeights[]): LayerWeights {
  return {
    shapes: (context) => parts.flatMap((part) => part.shapes(context)),
    initialize: (context, random) => parts.flatMap((part) => part.initialize(context, random)),
  };
}

/** The layer options of a scalar weight: its scope and its initial value (both written to the config). */
export function scalarWeightOptions(
  spec: ScalarWeightSpec,
  symbol: string,
  defaultScope: 'layer' | 'channel',
): OptionSpec[] {
  const initial: OptionSpec = {
    name: spec.initial,
    layerOnly: true,
    default: spec.fallback,
    inConfig: 'always',
    doc: `The initial ${symbol} (default ${spec.fallback}).`,
    field: { type: 'number', step: 0.5, demo: spec.fallback },
  };
  if (spec.scope === undefined) return [initial];
  const scope: OptionSpec = {
    name: spec.scope,
    layerOnly: true,
    default: defaultScope,
    inConfig: 'always',
    doc: `'layer': one ${symbol} for the layer; 'channel': one per channel (default '${defaultScope}').`,
  };
  return [scope, initial];
}
