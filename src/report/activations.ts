// What the report shows of a trained model: for chosen test digits, the activations just before
// and just after its (first) pooling layer, and the model's prediction, run layer by layer.
import { noGrad } from '../autograd/tape.js';
import type { LabeledImages } from '../data/mnist.js';
import type { LayersModel } from '../nn/layers-model.js';
import type { Sequential } from '../nn/sequential.js';
import { tidy } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';
import type { FeatureSample } from './feature-page.js';
import type { FeatureMaps } from './image-grid.js';

/** Index of the first windowed or adaptive pooling layer (global pooling leaves no map to show). */
export function poolingLayerIndex(model: Sequential): number {
  return model.layers.findIndex(
    (layer) => /Pooling[123]D$/.test(layer.className) && !layer.className.startsWith('Global'),
  );
}

/** The first `count` test digits of distinct classes, then the first misclassified one among `scan`. */
export function chooseSamples(model: Sequential, data: LabeledImages, count = 4, scan = 1000): number[] {
  const chosen: number[] = [];
  const classes = new Set<number>();
  for (let index = 0; index < data.count && chosen.length < count; index++) {
    if (!classes.has(data.labels[index]!)) {
      classes.add(data.labels[index]!);
      chosen.push(index);
    }
  }
  const scanned = Math.min(scan, data.count);
  const predictions = predictClasses(model, data.images.subarray(0, scanned * 784), scanned);
  const wrong = predictions.findIndex((predicted, index) => predicted !== data.labels[index]);
  if (wrong >= 0 && !chosen.includes(wrong)) chosen.push(wrong);
  return chosen;
}

/** The model's output rows (class probabilities) for `count` 28x28x1 images, flat [count, classes]. */
export function predictProbabilities(model: LayersModel, images: Float32Array, count: number): Float32Array {
  const input = Tensor.allocate([count, 28, 28, 1]);
  input.values.set(images.subarray(0, count * 784));
  const output = model.predict(input, { batchSize: 256 });
  const values = output.toFloat32Array();
  input.dispose();
  output.dispose();
  return values;
}

/** The arg-max class of each row of a flat [rows, classes] array. */
export function argmaxRows(values: Float32Array, classes: number): Int32Array {
  const rows = values.length / classes;
  const result = new Int32Array(rows);
  for (let row = 0; row < rows; row++) {
    let best = 0;
    for (let column = 1; column < classes; column++)
      if (values[row * classes + column]! > values[row * classes + best]!) best = column;
    result[row] = best;
  }
  return result;
}

/** The arg-max class of each of `count` 28x28x1 images. */
export function predictClasses(model: LayersModel, images: Float32Array, count: number): Int32Array {
  return argmaxRows(predictProbabilities(model, images, count), 10);
}

/** Runs one image through the model, keeping the maps around the pooling layer at `poolIndex`. */
export function featureSample(model: Sequential, data: LabeledImages, index: number, poolIndex: number): FeatureSample {
  const input = data.images.slice(index * 784, (index + 1) * 784);
  return noGrad(() =>
    tidy(() => {
      let current = Tensor.allocate([1, 28, 28, 1]);
      current.values.set(input);
      const maps: FeatureMaps[] = [];
      for (const [layerIndex, layer] of model.layers.entries()) {
        if (layerIndex === poolIndex) maps.push(mapsOf(current));
        current = layer.apply(current);
        if (layerIndex === poolIndex) maps.push(mapsOf(current));
      }
      const probabilities = current.toFloat32Array();
      const predicted = probabilities.indexOf(Math.max(...probabilities));
      return {
        index,
        label: data.labels[index]!,
        predicted,
        confidence: probabilities[predicted]!,
        input,
        before: maps[0]!,
        after: maps[1]!,
      };
    }),
  );
}

function mapsOf(value: Tensor): FeatureMaps {
  const [, height, width, channels] = value.shape as [number, number, number, number];
  return { values: value.toFloat32Array(), height, width, channels };
}
