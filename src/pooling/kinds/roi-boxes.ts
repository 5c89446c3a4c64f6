// What the RoI kinds (roi-align.ts, roi-pool.ts) share: their box arguments, in torchvision's form
// ([K, 5] rows of batch index, x1, y1, x2, y2) or ONNX's ([K, 4] corners and int32 batch indices
// [K]), their output size and spatial scale, and the geometry their kernels read.
import { fail } from '../../errors.js';
import { checkDataFormat, checkInputRank, perDimension, spatialSizes } from '../../geometry/layout.js';
import { f32, type RoiBoxes, type RoiGeometry } from '../../kernels/reference/extra/roi-geometry.js';
import { checkAnyTensor, checkTensor, describeShape } from '../../ops/checks.js';
import { tensor } from '../../tensor/create.js';
import { Tensor, type Shape } from '../../tensor/tensor.js';
import { dataFormatOption } from '../common-options.js';
import type { OpCall, OpOptions } from '../kind.js';
import type { OptionSpec } from '../options.js';

/** The options both RoI kinds take. */
export const roiOptions: readonly OptionSpec[] = [
  {
    name: 'outputSize',
    required: 'op',
    doc: 'Bins per box: one number for both axes, or [height, width] (torchvision’s output_size; ONNX’s pooled_shape or output_height and output_width).',
    field: { type: 'pair', min: 1, demo: [2, 2] },
  },
  {
    name: 'spatialScale',
    default: 1,
    doc: 'Box coordinates are multiplied by it to reach the input’s pixels (1/16 for a stride-16 feature map).',
    field: { type: 'number', min: 0, step: 0.25, demo: 1 },
  },
  dataFormatOption,
];

/** The ops' tensors after the input: (boxes [K, 5]) or (boxes [K, 4], batchIndices [K]); the options last. */
export function roiArguments(boxes: Tensor, rest: readonly unknown[]): { tensors: Tensor[]; options: unknown } {
  const [third, fourth] = rest;
  return third instanceof Tensor ? { tensors: [boxes, third], options: fourth } : { tensors: [boxes], options: third };
}

/** The sizes of one call: from the input, the number of boxes and the options. */
export function roiGeometry(op: string, inputShape: Shape, boxCount: number, options: OpOptions): RoiGeometry {
  const format = checkDataFormat(op, options.dataFormat);
  checkInputRank(op, inputShape, 2, format);
  const [outHeight, outWidth] = perDimension(op, 'outputSize', options.outputSize, 2, 1) as [number, number];
  const spatialScale = options.spatialScale ?? 1;
  if (typeof spatialScale !== 'number' || !Number.isFinite(spatialScale) || spatialScale <= 0)
    fail(op, 'spatialScale', 'must be a finite number above 0', spatialScale);
  const [inHeight, inWidth] = spatialSizes(inputShape, 2, format) as [number, number];
  const channelsLast = format === 'channelsLast';
  const channels = channelsLast ? inputShape[3]! : inputShape[1]!;
  return Object.freeze({
    channelsLast,
    batch: inputShape[0]!,
    channels,
    inHeight,
    inWidth,
    boxCount,
    outHeight,
    outWidth,
    spatialScale: f32(spatialScale),
    inputShape: Object.freeze([...inputShape]),
    outputShape: Object.freeze(
      channelsLast ? [boxCount, outHeight, outWidth, channels] : [boxCount, channels, outHeight, outWidth],
    ),
  });
}

/** The output shape for one box (the kinds' outputShape: the box count is a tensor's, not an option). */
export function roiOutputShape(op: string, inputShape: Shape, options: OpOptions): Shape {
  return roiGeometry(op, inputShape, 1, options).outputShape;
}

/** A RoI kind's outputShape: its own settings checked by `checkSettings`, then the shape for one box. */
export function roiOutputShapeAfter(
  checkSettings: (op: string, options: OpOptions) => unknown,
): (op: string, inputShape: Shape, options: OpOptions) => Shape {
  return (op, inputShape, options) => {
    checkSettings(op, options);
    return roiOutputShape(op, inputShape, options);
  };
}

/** A RoI op's call: (input, boxes, options) or (input, boxes, batchIndices, options), applied to `kind`. */
export function applyRoiKind<Result>(
  kind: { apply(input: Tensor, tensors: readonly Tensor[], options: unknown, rank: 2): Result },
  input: Tensor,
  boxes: Tensor,
  rest: readonly unknown[],
): Result {
  const { tensors, options } = roiArguments(boxes, rest);
  return kind.apply(input, tensors, options, 2);
}

/** Checks the box tensors against the batch; returns their corners and batch indices as plain arrays. */
function readBoxes(op: string, tensors: readonly Tensor[], batch: number): RoiBoxes {
  const boxes = checkTensor(op, 'boxes', tensors[0]);
  const separate = tensors.length > 1;
  const columns = separate ? 4 : 5;
  if (boxes.rank !== 2 || boxes.shape[1] !== columns) {
    const rule = separate
      ? 'must have shape [K, 4] (x1, y1, x2, y2) when batchIndices are given'
      : 'must have shape [K, 5] (batch index, x1, y1, x2, y2), or [K, 4] with batchIndices';
    fail(op, 'boxes', rule, describeShape(boxes));
  }
  const count = boxes.shape[0]!;
  const rows = boxes.values;
  const corners = new Float32Array(count * 4);
  const batchIndices = separate ? checkBatchIndices(op, tensors[1], count) : new Int32Array(count);
  for (let box = 0; box < count; box++) {
    if (!separate) batchIndices[box] = rows[box * 5]!;
    corners.set(rows.subarray(box * columns + columns - 4, box * columns + columns), box * 4);
    const index = separate ? batchIndices[box]! : rows[box * 5]!;
    if (!Number.isInteger(index) || index < 0 || index >= batch)
      fail(
        op,
        separate ? 'batchIndices' : 'boxes',
        `must hold image indices from 0 to ${batch - 1} (box ${box})`,
        index,
      );
  }
  const bad = corners.findIndex((value) => !Number.isFinite(value));
  if (bad >= 0) fail(op, 'boxes', `must hold finite coordinates (box ${Math.floor(bad / 4)})`, corners[bad]);
  return { corners, batchIndices };
}

function checkBatchIndices(op: string, value: unknown, count: number): Int32Array {
  const indices = checkAnyTensor(op, 'batchIndices', value);
  if (indices.dtype !== 'int32') fail(op, 'batchIndices', 'must be an int32 tensor', indices.dtype);
  if (indices.rank !== 1 || indices.size !== count)
    fail(op, 'batchIndices', `must have shape [${count}], one per box`, describeShape(indices));
  return Int32Array.from(indices.intValues);
}

/** The geometry and boxes of a call of either RoI kind. */
export function roiCall(call: OpCall): { geometry: RoiGeometry; boxes: RoiBoxes } {
  const { op, input, tensors, options } = call;
  if (tensors.length > 2)
    fail(op, 'arguments', 'must be (input, boxes, options) or (input, boxes, batchIndices, options)', tensors.length);
  const geometry = roiGeometry(op, input.shape, 0, options);
  const boxes = readBoxes(op, tensors, geometry.batch);
  return { geometry: roiGeometry(op, input.shape, boxes.batchIndices.length, options), boxes };
}

/** Example boxes on an image: the whole of it and its top-left quarter, as torchvision's [K, 5] rows. */
export function exampleBoxes(
  image: Tensor,
  options: OpOptions,
): { input: Tensor; tensors: Tensor[]; options: OpOptions; rank: 2 } {
  const [height, width] = spatialSizes(image.shape, 2, checkDataFormat('roi', options.dataFormat));
  const boxes = tensor([0, 0, 0, width! - 1, height! - 1, 0, 0, 0, (width! - 1) / 2, (height! - 1) / 2], [2, 5]);
  return { input: image, tensors: [boxes], options, rank: 2 };
}
