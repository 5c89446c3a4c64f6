// A model's layer names and weights, known before any weight is made: Keras's unique names
// ('dense', 'dense_1', ...) in constant time per layer, so a model of many layers is built in
// linear time, and each layer's weight shapes from its config, so a saved model's manifest is
// checked against its topology before a hostile one (units: 150000) can take memory.
import { fail } from '../errors.js';
import { snakeCase, type Layer, type LayerShape, type ParameterShape } from './layer.js';

/** The names taken in one model; gives unnamed layers Keras's 'dense', 'dense_1', ... */
export class LayerNames {
  private readonly taken = new Set<string>();
  /** Per base name, the suffix to try next: names are never released, so it only grows. */
  private readonly nextSuffix = new Map<string, number>();

  /** Names `layer` if it has no name, then claims its name; `op` names the caller in errors. */
  claim(layer: Layer, op: string): void {
    if (!layer.hasExplicitName) layer.assignName(this.unique(snakeCase(layer.className)));
    if (this.taken.has(layer.name)) fail(op, 'layer', 'name must be unique in the model', layer.name);
    this.taken.add(layer.name);
  }

  has(name: string): boolean {
    return this.taken.has(name);
  }

  private unique(base: string): string {
    if (!this.taken.has(base)) return base;
    let suffix = this.nextSuffix.get(base) ?? 1;
    while (this.taken.has(`${base}_${suffix}`)) suffix++;
    this.nextSuffix.set(base, suffix + 1);
    return `${base}_${suffix}`;
  }
}

/** One layer's planned weights: null where only building the layer can tell them. */
export interface LayerPlan {
  readonly layer: Layer;
  readonly weights: readonly ParameterShape[] | null;
}

/**
 * Every layer's weights for the first layer's inputShape, without building anything; null when
 * the first layer has no inputShape (the model stays unbuilt, so nothing is allocated yet).
 * Throws the layers' own errors for shapes that do not chain.
 */
export function planWeights(layers: readonly Layer[]): LayerPlan[] | null {
  const first = layers[0]?.config.inputShape;
  if (first === undefined) return null;
  let shape: LayerShape = [null, ...first];
  return layers.map((layer) => {
    const input = shape;
    shape = layer.computeOutputShape(input); // validates the input shape first, as build() does
    return { layer, weights: layer.parameterShapes(input) };
  });
}
