// Shift consistency (BlurPool's measure, Zhang 2019): the fraction of test images whose predicted
// class survives shifting the image by 1 to 4 pixels, one direction per image and distance.
import { Random, tensor, type Sequential, type Tensor } from '../../src/index.js';

/** The 8 directions as [dx (right), dy (down)]: E, NE, N, NW, W, SW, S, SE (index = random draw). */
export const shiftDirections: readonly (readonly [number, number])[] = [
  [1, 0],
  [1, -1],
  [0, -1],
  [-1, -1],
  [-1, 0],
  [-1, 1],
  [0, 1],
  [1, 1],
];

export const shiftDistances: readonly number[] = [1, 2, 3, 4];

/** The rule in words, for --help, the table's caption and compare.json. */
export const shiftRule =
  'shift consistency: fraction of test images whose predicted class is unchanged when the image is shifted ' +
  'by d = 1, 2, 3, 4 pixels (one shift per image and d, direction E, NE, N, NW, W, SW, S, SE by ' +
  'new Random(run seed).integer(8) drawn image by image for d = 1, then d = 2, ...; diagonals move d ' +
  'pixels on both axes; vacated pixels are 0); mean over the four d';

/** The rule as a sentence of its own. */
export const shiftRuleSentence = `${shiftRule[0]!.toUpperCase()}${shiftRule.slice(1)}.`;

/**
 * Each image of `images` ([count, height, width, channels], row-major) moved by its own offset
 * [dx, dy] (positive: right, down); pixels that come from outside the image are 0.
 */
export function shiftImages(
  images: Float32Array,
  shape: readonly [number, number, number, number],
  offsets: readonly (readonly [number, number])[],
): Float32Array {
  const [count, height, width, channels] = shape;
  const shifted = new Float32Array(count * height * width * channels);
  const rowLength = width * channels;
  for (let image = 0; image < count; image++) {
    const [dx, dy] = offsets[image]!;
    const base = image * height * rowLength;
    const [fromX, toX] = [Math.max(0, dx), Math.min(width, width + dx)];
    if (fromX >= toX) continue;
    for (let y = Math.max(0, dy); y < Math.min(height, height + dy); y++) {
      const target = base + y * rowLength + fromX * channels;
      const source = base + (y - dy) * rowLength + (fromX - dx) * channels;
      shifted.set(images.subarray(source, source + (toX - fromX) * channels), target);
    }
  }
  return shifted;
}

/** Per distance (shiftDistances' order), each image's offset: the rule of `shiftRule`. */
export function shiftOffsets(count: number, seed: number, distances = shiftDistances): [number, number][][] {
  const random = new Random(seed);
  return distances.map((distance) =>
    Array.from({ length: count }, () => {
      const [dx, dy] = shiftDirections[random.integer(8)]!;
      return [dx * distance, dy * distance] as [number, number];
    }),
  );
}

/** The model's predicted class (arg max) of each image, predicted batchSize images at a time. */
export function predictedClasses(model: Sequential, x: Tensor, batchSize: number): Int32Array {
  const probabilities = model.predict(x, { batchSize }) as Tensor;
  try {
    const [count, classes] = probabilities.shape as [number, number];
    const values = probabilities.values;
    return Int32Array.from({ length: count }, (_, row) => {
      let best = 0;
      for (let index = 1; index < classes; index++)
        if (values[row * classes + index]! > values[row * classes + best]!) best = index;
      return best;
    });
  } finally {
    probabilities.dispose();
  }
}

/** The fraction of positions where two class lists agree. */
export function agreement(first: Int32Array, second: Int32Array): number {
  let same = 0;
  for (let index = 0; index < first.length; index++) if (first[index] === second[index]) same++;
  return same / first.length;
}

/** Shift consistency of a trained model on `x` ([n, 28, 28, 1]), per distance (default 1, 2, 3, 4). */
export function shiftConsistency(
  model: Sequential,
  x: Tensor,
  seed: number,
  batchSize: number,
  distances = shiftDistances,
): number[] {
  const shape = x.shape as [number, number, number, number];
  const original = predictedClasses(model, x, batchSize);
  return shiftOffsets(shape[0], seed, distances).map((offsets) => {
    const shifted = tensor(shiftImages(x.values, shape, offsets), shape);
    try {
      return agreement(original, predictedClasses(model, shifted, batchSize));
    } finally {
      shifted.dispose();
    }
  });
}
