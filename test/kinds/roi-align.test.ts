// RoIAlign against a hand-worked box, torchvision 0.14's roi_align (test/golden/roi-align: forward and
// input gradient, bit for bit), ONNX Runtime running a one-node RoiAlign model (avg and max, half_pixel
// and output_half_pixel, sampling ratios) on random boxes partly off the image, finite differences,
// layouts, and its argument checks. Its layer: roi-layers.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { roiAlign, tensor, type Tensor } from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { goldenCases } from '../helpers/golden-json.js';
import { gradcheck } from '../helpers/gradcheck.js';
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

/** A 4x4 image 0..15 (row·4 + column), NCHW with one channel. */
const ramp = () =>
  tensor(
    Array.from({ length: 16 }, (_, index) => index),
    [1, 1, 4, 4],
  );

test('a hand-worked box: bilinear samples of the ramp row·4 + column average to the bin centres', () => {
  // Box (0, 0)–(2, 2), not aligned, 1x1 output, 2x2 samples at 0.5 and 1.5: values 2.5, 3.5, 6.5, 7.5.
  const output = roiAlign(ramp(), tensor([0, 0, 0, 2, 2], [1, 5]), {
    outputSize: 1,
    samplingRatio: 2,
    dataFormat: 'channelsFirst',
  });
  assert.deepEqual(Array.from(output.values), [5]);
  // Aligned shifts by −0.5: samples at 0 and 1, values 0, 1, 4, 5.
  const aligned = roiAlign(ramp(), tensor([0, 0, 0, 2, 2], [1, 5]), {
    outputSize: 1,
    samplingRatio: 2,
    aligned: true,
    dataFormat: 'channelsFirst',
  });
  assert.deepEqual(Array.from(aligned.values), [2.5]);
  // ONNX's max: the largest weighted corner term w·x, not the largest sample: the sample (1.5, 1.5)
  // weighs 5, 6, 9, 10 by 1/4 each, so 2.5 (its interpolated value is 7.5).
  const max = roiAlign(ramp(), tensor([[0, 0, 2, 2]]), tensor([0], [1], 'int32'), {
    outputSize: 1,
    samplingRatio: 2,
    mode: 'max',
    dataFormat: 'channelsFirst',
  });
  assert.deepEqual(Array.from(max.values), [2.5]);
});

for (const golden of goldenCases<RoiGoldenCase>('roi-align')) {
  test(`equals torchvision's roi_align bit for bit, forward and input gradient: ${golden.name}`, () =>
    assertRoiGolden(golden, roiAlign));
}

/** ONNX Runtime's RoiAlign with these attributes (strings, spatial_scale a float, the rest ints). */
function onnxRoiAlign(input: Tensor, rows: Float32Array, options: Record<string, number | string>) {
  const attributes = Object.entries(options).map(([name, value]) =>
    typeof value === 'string'
      ? { name, string: value }
      : name === 'spatial_scale'
        ? { name, float: value }
        : { name, int: value },
  );
  return onnxRoi('RoiAlign', input, rows, attributes);
}

test('equals ONNX Runtime’s RoiAlign bit for bit: avg and max, both coordinate modes, sampling ratios, random boxes', async () => {
  let runs = 0;
  for (const [seed, [batch, channels, height, width]] of ROI_IMAGES) {
    const input = uniformTensor([batch, channels, height, width], seed);
    for (const mode of ['avg', 'max'] as const) {
      for (const aligned of [false, true]) {
        for (const [samplingRatio, outputSize, spatialScale] of [
          [0, [2, 3], 1],
          [1, [3, 3], 0.5],
          [2, [1, 4], 1],
        ] as const) {
          const rows = randomBoxes(12, batch, height, width, seed * 100 + runs, spatialScale);
          const { corners, batchIndices } = splitBoxes(rows);
          const ours = roiAlign(input, tensor(corners, [12, 4]), tensor(batchIndices, [12], 'int32'), {
            outputSize,
            samplingRatio,
            spatialScale,
            aligned,
            mode: mode === 'avg' ? 'average' : 'max',
            dataFormat: 'channelsFirst',
          });
          const expected = await onnxRoiAlign(input, rows, {
            mode,
            coordinate_transformation_mode: aligned ? 'half_pixel' : 'output_half_pixel',
            sampling_ratio: samplingRatio,
            output_height: outputSize[0],
            output_width: outputSize[1],
            spatial_scale: spatialScale,
          });
          assert.deepEqual(
            Array.from(ours.values),
            Array.from(expected),
            `${mode} aligned ${aligned} ratio ${samplingRatio}`,
          );
          runs++;
        }
      }
    }
  }
  assert.equal(runs, 36);
});

test('ONNX Runtime agrees on NaN and infinities too (0·x of samples off the image included)', async () => {
  const input = uniformTensor([1, 2, 6, 7], 9);
  input.values.set([NaN], 0);
  input.values.set([Infinity], 1 * 42 + 3 * 7 + 4);
  input.values.set([-Infinity], 17);
  const rows = randomBoxes(16, 1, 6, 7, 10);
  for (const mode of ['avg', 'max'] as const) {
    const { corners, batchIndices } = splitBoxes(rows);
    const ours = roiAlign(input, tensor(corners, [16, 4]), tensor(batchIndices, [16], 'int32'), {
      outputSize: 2,
      samplingRatio: 2,
      mode: mode === 'avg' ? 'average' : 'max',
      dataFormat: 'channelsFirst',
    });
    const expected = await onnxRoiAlign(input, rows, {
      mode,
      coordinate_transformation_mode: 'output_half_pixel',
      sampling_ratio: 2,
      output_height: 2,
      output_width: 2,
    });
    assertClose(ours.values, expected, { absolute: 0, relative: 0, label: mode });
  }
});

test('max: a sample whose first corner term is NaN drops out whole (std::max), as ONNX Runtime', async () => {
  // Image [1, NaN, 100; 2, 3, 4]; box (0, 0)–(2, 1), 2x2 samples at x 0.5, 1.5 and y 0.25, 0.75.
  // The samples at x 1.5 start at the NaN cell, so their 100 never counts; the others give
  // 0.375·1 and 0.375·3 = 1.125 (their NaN terms come later and are skipped).
  const input = tensor([1, NaN, 100, 2, 3, 4], [1, 1, 2, 3]);
  const rows = Float32Array.from([0, 0, 0, 2, 1]);
  const options = { outputSize: 1, samplingRatio: 2, mode: 'max', dataFormat: 'channelsFirst' } as const;
  assert.deepEqual(Array.from(roiAlign(input, tensor(rows, [1, 5]), options).values), [1.125]);
  const expected = await onnxRoiAlign(input, rows, {
    mode: 'max',
    coordinate_transformation_mode: 'output_half_pixel',
    sampling_ratio: 2,
    output_height: 1,
    output_width: 1,
  });
  assert.deepEqual(Array.from(expected), [1.125]);
});

test('finite differences agree for average and max, aligned or not (the boxes are constants)', () => {
  const rows = randomBoxes(6, 2, 5, 6, 4);
  const boxes = tensor(rows, [6, 5]);
  for (const aligned of [false, true]) {
    gradcheck(
      (x) => roiAlign(x!, boxes, { outputSize: [2, 3], samplingRatio: 2, aligned }),
      [uniformTensor([2, 5, 6, 2], 5)],
    );
  }
  // Max: spaced values, so no two corner terms of a bin come within the step of each other.
  const spaced = tensor(
    Array.from({ length: 2 * 5 * 6 * 2 }, (_, index) => 1 + ((index * 37) % 60) * 0.05),
    [2, 5, 6, 2],
  );
  gradcheck((x) => roiAlign(x!, boxes, { outputSize: 2, samplingRatio: 1, mode: 'max' }), [spaced], { epsilon: 1e-3 });
});

test('channelsLast and channelsFirst give the same numbers; no boxes give an empty output', () => {
  assertLayoutsAgree((input, boxes, dataFormat) =>
    roiAlign(input, boxes, { outputSize: [2, 3], samplingRatio: 2, dataFormat }),
  );
});

test('boxes, batch indices and options are checked by name', () => {
  const input = uniformTensor([2, 4, 4, 1], 1);
  const options = { outputSize: 2 };
  assert.throws(() => roiAlign(input, tensor([[0, 0, 1, 1]]), options), /roiAlign: boxes must have shape \[K, 5\]/);
  assert.throws(
    () => roiAlign(input, tensor([[2, 0, 0, 1, 1]]), options),
    /roiAlign: boxes must hold image indices from 0 to 1 \(box 0\), got 2/,
  );
  assert.throws(() => roiAlign(input, tensor([[0.5, 0, 0, 1, 1]]), options), /image indices/);
  assert.throws(
    () => roiAlign(input, tensor([[0, 0, NaN, 1, 1]]), options),
    /roiAlign: boxes must hold finite coordinates \(box 0\)/,
  );
  assert.throws(
    () => roiAlign(input, tensor([[0, 0, 1, 1]]), tensor([0], [1]), options),
    /roiAlign: batchIndices must be an int32 tensor/,
  );
  assert.throws(
    () => roiAlign(input, tensor([[0, 0, 1, 1]]), tensor([0, 1], [2], 'int32'), options),
    /roiAlign: batchIndices must have shape \[1\], one per box/,
  );
  const box = tensor([[0, 0, 0, 1, 1]]);
  assert.throws(() => roiAlign(input, box, { outputSize: 0 }), /roiAlign: outputSize must be an integer of at least 1/);
  assert.throws(
    () => roiAlign(input, box, { ...options, samplingRatio: -2 }),
    /roiAlign: samplingRatio must be an integer of at least −1/,
  );
  assert.throws(() => roiAlign(input, box, { ...options, mode: 'avg' as never }), /ONNX's 'avg' is 'average'/);
  assert.throws(
    () => roiAlign(input, box, { ...options, spatialScale: 0 }),
    /roiAlign: spatialScale must be a finite number above 0/,
  );
  assert.throws(() => roiAlign(input, box, { ...options, sampling_ratio: 2 } as never), /did you mean 'samplingRatio'/);
});
