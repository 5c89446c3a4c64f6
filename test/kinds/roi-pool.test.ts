// RoI pooling against a hand-worked box, torchvision 0.14's roi_pool (test/golden/roi-pool: forward
// and input gradient, bit for bit, ties and NaN included), ONNX Runtime running a one-node MaxRoiPool
// model on random boxes partly off the image (maxRule 'onnx' for NaN), finite differences, layouts,
// and its argument checks. Its layer: roi-layers.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backward, requireGrad, roiPool, tensor, type Tensor } from '../../src/index.js';
import { goldenCases } from '../helpers/golden-json.js';
import { gradcheck, spacedValues } from '../helpers/gradcheck.js';
import {
  assertLayoutsAgree,
  assertRoiGolden,
  onnxRoi,
  randomBoxes,
  ROI_IMAGES,
  splitBoxes,
  type RoiGoldenCase,
} from '../helpers/roi-boxes.js';
import { uniformTensor } from '../helpers/uniform.js';

const FLOAT_MAX = 3.4028234663852886e38;

test('a hand-worked box: rounded half away from zero, end inclusive, floor/ceil bins', () => {
  // 4x5 image 0..19 (row·5 + column). Box x 0.5–3.4, y 0.4–2.5 rounds to columns 1–3, rows 0–3:
  // 3 columns and 4 rows into 2x2 bins: rows [0, 2) and [2, 4), columns [1, 3) and [2, 4).
  const input = tensor(
    Array.from({ length: 20 }, (_, index) => index),
    [1, 4, 5, 1],
  );
  const output = roiPool(input, tensor([[0, 0.5, 0.4, 3.4, 2.5]]), { outputSize: 2 });
  assert.deepEqual(Array.from(output.values), [7, 8, 17, 18]);
  // A box wholly off the image has empty bins: 0, and no gradient.
  const leaf = requireGrad(input.clone());
  const off = roiPool(leaf, tensor([[0, 9, 9, 12, 12]]), { outputSize: 2 });
  assert.deepEqual(Array.from(off.values), [0, 0, 0, 0]);
  backward(off, tensor([1, 1, 1, 1], [1, 2, 2, 1]));
  assert.ok(leaf.grad!.values.every((value) => value === 0));
});

test('ties and NaN: torchvision takes the first of ties and never NaN; ONNX the last, and NaN until the next number', () => {
  const input = requireGrad(tensor([3, 3, NaN, 1, NaN, NaN], [1, 6, 1, 1])); // one column of six rows
  const boxes = tensor([
    [0, 0, 0, 0, 3],
    [0, 0, 4, 0, 5],
  ]);
  const torchvision = roiPool(input, boxes, { outputSize: 1 });
  assert.deepEqual(Array.from(torchvision.values), [3, -FLOAT_MAX]);
  backward(torchvision, tensor([1, 1], [2, 1, 1, 1]));
  // ONNX: 3, then the later 3 (a tie), then NaN, then 1 replaces it; the second bin stays NaN.
  assert.deepEqual(Array.from(input.grad!.values), [1, 0, 0, 0, 0, 0]);
  const onnx = roiPool(input, boxes, { outputSize: 1, maxRule: 'onnx' });
  assert.deepEqual(Array.from(onnx.values), [1, NaN]);
});

for (const golden of goldenCases<RoiGoldenCase>('roi-pool')) {
  test(`equals torchvision's roi_pool bit for bit, forward and input gradient: ${golden.name}`, () =>
    assertRoiGolden(golden, roiPool));
}

/** ONNX Runtime's MaxRoiPool. */
function onnxMaxRoiPool(input: Tensor, rows: Float32Array, outputSize: readonly [number, number], scale: number) {
  return onnxRoi('MaxRoiPool', input, rows, [
    { name: 'pooled_shape', ints: outputSize },
    { name: 'spatial_scale', float: scale },
  ]);
}

test('equals ONNX Runtime’s MaxRoiPool bit for bit on random boxes, with either rule (no NaN)', async () => {
  let runs = 0;
  for (const [seed, [batch, channels, height, width]] of ROI_IMAGES) {
    // Values on a coarse grid: many ties, so the rules' different argmax never changes the output
    // (+ 0 turns Math.round's −0 into 0: a tie of 0 and −0 would tell the rules apart).
    const input = tensor(
      Array.from(uniformTensor([batch, channels, height, width], seed).values, (value) => Math.round(value * 4) + 0),
      [batch, channels, height, width],
    );
    for (const [outputSize, spatialScale] of [
      [[2, 3], 1],
      [[3, 3], 0.5],
      [[1, 4], 0.25],
    ] as const) {
      const rows = randomBoxes(14, batch, height, width, seed * 10 + runs, spatialScale);
      const expected = await onnxMaxRoiPool(input, rows, outputSize, spatialScale);
      for (const maxRule of ['torchvision', 'onnx'] as const) {
        const ours = roiPool(input, tensor(rows, [14, 5]), {
          outputSize,
          spatialScale,
          maxRule,
          dataFormat: 'channelsFirst',
        });
        assert.deepEqual(Array.from(ours.values), Array.from(expected), `${maxRule} ${outputSize} ${spatialScale}`);
      }
      runs++;
    }
  }
  assert.equal(runs, 9);
});

test("with NaN, maxRule 'onnx' equals ONNX Runtime bit for bit (and 'torchvision' does not)", async () => {
  const input = uniformTensor([2, 2, 6, 7], 4);
  for (const at of [0, 5, 9, 10, 11, 30, 31, 44, 45, 46, 60, 61, 62, 63, 100, 101, 150]) input.values[at] = NaN;
  const rows = randomBoxes(20, 2, 6, 7, 5);
  const expected = await onnxMaxRoiPool(input, rows, [2, 2], 1);
  const onnx = roiPool(input, tensor(rows, [20, 5]), { outputSize: 2, maxRule: 'onnx', dataFormat: 'channelsFirst' });
  assert.deepEqual(Array.from(onnx.values), Array.from(expected));
  const torchvision = roiPool(input, tensor(rows, [20, 5]), { outputSize: 2, dataFormat: 'channelsFirst' });
  assert.notDeepEqual(Array.from(torchvision.values), Array.from(expected));
});

test('finite differences agree, with either rule ([K, 4] boxes and batch indices too)', () => {
  const rows = randomBoxes(8, 2, 5, 6, 6);
  const { corners, batchIndices } = splitBoxes(rows);
  const input = tensor(spacedValues(2 * 5 * 6 * 2, 7), [2, 5, 6, 2]);
  for (const maxRule of ['torchvision', 'onnx'] as const) {
    gradcheck((x) => roiPool(x!, tensor(rows, [8, 5]), { outputSize: [2, 3], maxRule }), [input]);
  }
  gradcheck(
    (x) =>
      roiPool(x!, tensor(corners, [8, 4]), tensor(batchIndices, [8], 'int32'), { outputSize: 2, spatialScale: 0.5 }),
    [input],
  );
});

test('channelsLast and channelsFirst give the same numbers; no boxes give an empty output', () => {
  assertLayoutsAgree((input, boxes, dataFormat) => roiPool(input, boxes, { outputSize: [2, 3], dataFormat }));
});

test('boxes, batch indices and options are checked by name', () => {
  const input = uniformTensor([2, 4, 4, 1], 1);
  const box = tensor([[0, 0, 0, 1, 1]]);
  assert.throws(
    () => roiPool(input, tensor([[0, 0, 1]]), { outputSize: 2 }),
    /roiPool: boxes must have shape \[K, 5\]/,
  );
  assert.throws(
    () => roiPool(input, tensor([[-1, 0, 0, 1, 1]]), { outputSize: 2 }),
    /roiPool: boxes must hold image indices from 0 to 1/,
  );
  assert.throws(
    () => roiPool(input, tensor([[0, 0, 1, 1]]), tensor([2], [1], 'int32'), { outputSize: 2 }),
    /roiPool: batchIndices must hold image indices from 0 to 1 \(box 0\), got 2/,
  );
  assert.throws(
    () => roiPool(input, box, { outputSize: 2, maxRule: 'caffe' as never }),
    /roiPool: maxRule must be 'torchvision' or 'onnx'/,
  );
  assert.throws(() => roiPool(input, box, { outputSize: [2, 2, 2] as never }), /roiPool: outputSize must be/);
  assert.throws(() => roiPool(input, box, {} as never), /roiPool: outputSize must be/);
});
