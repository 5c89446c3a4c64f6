// Random boxes for the RoI kinds' tests: inside the image, partly or wholly off it, inverted and
// thinner than a pixel, some on quarter pixels (half-pixel rounding ties for RoI pooling).
import assert from 'node:assert/strict';
import { backward, Random, requireGrad, tensor, tidy, transpose, type Tensor } from '../../src/index.js';
import { decode, type Encoded } from './golden-json.js';
import { runOnnxNode, type OnnxAttribute, type OnnxTensor } from './onnx-model.js';
import { uniformTensor } from './uniform.js';

/** Seeds and NCHW shapes of the random images the RoI kinds are compared with ONNX Runtime on. */
export const ROI_IMAGES = [
  [1, [2, 3, 7, 9]],
  [2, [1, 2, 5, 5]],
  [3, [2, 1, 8, 6]],
] as const;

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

/**
 * Runs an RoI op on an NCHW input and on the same input NHWC: the outputs agree once transposed, and
 * no boxes give an empty [0, outHeight, outWidth, channels] output.
 */
export function assertLayoutsAgree(
  pool: (input: Tensor, boxes: Tensor, dataFormat: 'channelsFirst' | 'channelsLast') => Tensor,
): void {
  const nchw = uniformTensor([2, 3, 5, 6], 6);
  const boxes = tensor(randomBoxes(5, 2, 5, 6, 7), [5, 5]);
  const first = pool(nchw, boxes, 'channelsFirst');
  const last = pool(transpose(nchw, [0, 2, 3, 1]), boxes, 'channelsLast');
  assert.deepEqual(last.shape, [5, ...first.shape.slice(2), 3]);
  assert.deepEqual(Array.from(last.values), Array.from(transpose(first, [0, 2, 3, 1]).values));
  const none = pool(transpose(nchw, [0, 2, 3, 1]), tensor([], [0, 5]), 'channelsLast');
  assert.deepEqual(none.shape, [0, ...last.shape.slice(1)]);
}

/** A case of test/golden/roi-align or roi-pool: torchvision's output and input gradient for [K, 5] boxes. */
export interface RoiGoldenCase {
  name: string;
  options: Record<string, unknown>;
  inputShape: number[];
  input: Encoded;
  boxes: Encoded;
  boxCount: number;
  output: Encoded;
  gradOutput: Encoded;
  gradInput: Encoded;
}

/** Asserts that an RoI op gives torchvision's output and input gradient bit for bit. */
export function assertRoiGolden(
  golden: RoiGoldenCase,
  pool: (input: Tensor, boxes: Tensor, options: never) => Tensor,
): void {
  tidy(() => {
    const input = requireGrad(tensor(decode(golden.input), golden.inputShape));
    const output = pool(input, tensor(decode(golden.boxes), [golden.boxCount, 5]), golden.options as never);
    assert.deepEqual(Array.from(output.values), Array.from(decode(golden.output)));
    backward(output, tensor(decode(golden.gradOutput), output.shape));
    assert.deepEqual(Array.from(input.grad!.values), Array.from(decode(golden.gradInput)));
  });
}

/**
 * ONNX Runtime's RoiAlign or MaxRoiPool (opset 16) on an NCHW input and [K, 5] rows: MaxRoiPool takes
 * the rows, RoiAlign their corners [K, 4] and int64 batch indices.
 */
export function onnxRoi(
  op: 'RoiAlign' | 'MaxRoiPool',
  input: Tensor,
  rows: Float32Array,
  attributes: readonly OnnxAttribute[],
): Promise<Float32Array> {
  const count = rows.length / 5;
  const feeds: Record<string, OnnxTensor> = {
    x: { type: 'float32', shape: input.shape, values: input.toFloat32Array() },
  };
  if (op === 'MaxRoiPool') feeds.rois = { type: 'float32', shape: [count, 5], values: rows };
  else {
    const { corners, batchIndices } = splitBoxes(rows);
    feeds.rois = { type: 'float32', shape: [count, 4], values: corners };
    feeds.batch_indices = { type: 'int64', shape: [count], values: BigInt64Array.from(batchIndices, BigInt) };
  }
  const inputs = Object.entries(feeds).map(([name, { type, shape }]) => ({ name, type, shape }));
  return runOnnxNode({ op, opset: 16, inputs, outputs: [{ name: 'y', type: 'float32' }], attributes }, feeds);
}
