// Random boxes for the RoI kinds' tests: inside the image, partly or wholly off it, inverted and
// thinner than a pixel, some on quarter pixels (half-pixel rounding ties for RoI pooling).
import { Random } from '../../src/index.js';

/** [count, 5] rows (batch index, x1, y1, x2, y2) in input pixels before `scale`, row-major. */
export function randomBoxes(
  count: number,
  batch: number,
  height: number,
  width: number,
  seed: number,
  scale = 1,
): Float32Array {
  const random = new Random(seed);
  const between = (low: number, high: number) => low + (high - low) * random.uniform();
  const [spanX, spanY] = [width / scale, height / scale];
  const rows = new Float32Array(count * 5);
  for (let box = 0; box < count; box++) {
    const [x1, y1] = [between(-0.3 * spanX, 1.1 * spanX), between(-0.3 * spanY, 1.1 * spanY)];
    const corners = [x1, y1, x1 + between(-0.2 * spanX, 0.8 * spanX), y1 + between(-0.2 * spanY, 0.8 * spanY)];
    const onQuarters = box % 3 === 0 ? corners.map((value) => Math.round(value * 4) / 4) : corners;
    rows.set([Math.floor(random.uniform() * batch), ...onQuarters], box * 5);
  }
  return rows;
}

/** ONNX's RoiAlign form of [K, 5] rows: the corners [K, 4] and the batch indices [K]. */
export function splitBoxes(rows: Float32Array): { corners: Float32Array; batchIndices: Int32Array } {
  const count = rows.length / 5;
  const corners = new Float32Array(count * 4);
  const batchIndices = new Int32Array(count);
  for (let box = 0; box < count; box++) {
    batchIndices[box] = rows[box * 5]!;
    corners.set(rows.subarray(box * 5 + 1, box * 5 + 5), box * 4);
  }
  return { corners, batchIndices };
}
