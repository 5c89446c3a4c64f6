// Runs a stack of layers forward. Two exact rewrites save time on the seed model:
// - relu followed by max pooling equals max pooling followed by relu (relu is monotone: the window's
//   largest input gives its largest output, ties resolve to the same first cell, NaN propagates either
//   way, and the gradient routes to the same cell or to none), so relu runs on the pooled tensor, a
//   quarter the size;
// - a Conv2D followed by MaxPooling2D (NHWC) runs as the fused op conv2dMaxPool2d, which gives the two
//   ops' numbers without keeping the full-size convolution output or its gradient, and applies a
//   relu layer's relu to the pooled output in the same pass, by the first rewrite;
// - a Conv2D followed by a pooling layer whose call picks one cell per window (min, median, random
//   and stochastic pooling in training: KindDefinition.selectCells) runs as conv2dSelectPool2d,
//   which gives the two layers' numbers and routes the gradient as the max rewrite's op does.
import { relu } from '../ops/nn/activations.js';
import type { Tensor } from '../tensor/tensor.js';
import { endsInActivation } from './activation-names.js';
import type { CallOptions, Layer } from './layer.js';
import { Conv2D } from './layers/conv2d.js';
import { Pooling } from '../pooling/layer.js';
import { asPoolOptions } from '../pooling/common-options.js';

function isMaxPooling(layer: Layer | undefined): layer is Pooling {
  return layer instanceof Pooling && layer.kind.name === 'max';
}

/** Whether `layer`'s relu may run after `next` instead of before it. */
function reluCommutesWith(layer: Layer, next: Layer | undefined): boolean {
  return isMaxPooling(next) && endsInActivation(layer) && layer.activation === 'relu';
}

/** Whether `layer` (linear or relu) and the 2D max pooling `next` run as one conv2dMaxPool2d. */
function fusesWithMaxPooling(layer: Layer, next: Layer | undefined): layer is Conv2D {
  return (
    layer instanceof Conv2D &&
    isMaxPooling(next) &&
    next.spatialDims === 2 &&
    layer.dataFormat === 'channelsLast' &&
    next.poolOptions().dataFormat === 'channelsLast' &&
    (layer.activation === 'linear' || layer.activation === 'relu')
  );
}

/** Whether `layer` (linear or relu, NHWC) and the 2D pooling `next` may run as one conv2dSelectPool2d. */
function mayFuseWithSelection(layer: Layer, next: Layer | undefined): layer is Conv2D {
  return (
    layer instanceof Conv2D &&
    next instanceof Pooling &&
    next.kind.selectCells !== undefined &&
    next.spatialDims === 2 &&
    layer.dataFormat === 'channelsLast' &&
    next.poolOptions().dataFormat === 'channelsLast' &&
    (layer.activation === 'linear' || layer.activation === 'relu')
  );
}

/**
 * The layers' forward pass; with `logits`, a final activation is left out (fused into the loss).
 * Keras's mask travels beside the tensor: each layer gets its input's mask in `options.mask` and
 * computeMask gives the next one (the rewritten pairs end in max pooling, which drops it).
 */
export function runLayers(layers: readonly Layer[], input: Tensor, options: CallOptions, logits: boolean): Tensor {
  let output = input;
  let mask = options.mask ?? null;
  for (let index = 0; index < layers.length; index++) {
    const layer = layers[index]!;
    const next = layers[index + 1];
    const last = index === layers.length - 1;
    const layerOptions = { ...options, mask };
    const selected = mayFuseWithSelection(layer, next) ? layer.callThenSelect(output, next as Pooling, options) : null;
    if (selected !== null) {
      [output, index, mask] = [selected, index + 1, null];
    } else if (fusesWithMaxPooling(layer, next)) {
      output = layer.callThenMaxPool(output, asPoolOptions((next as Pooling).poolOptions()));
      [index, mask] = [index + 1, null];
    } else if (last && logits && endsInActivation(layer)) {
      output = layer.callWithoutActivation(output, layerOptions);
    } else if (endsInActivation(layer) && reluCommutesWith(layer, next)) {
      output = relu(next!.call(layer.callWithoutActivation(output, layerOptions), { ...options, mask: null }));
      [index, mask] = [index + 1, null];
    } else {
      const nextMask = layer.computeMask(output, mask);
      output = layer.call(output, layerOptions);
      mask = nextMask;
    }
  }
  return output;
}
