// RoI max pooling and RoIAlign on the GPU against the reference kernels, on random images and boxes
// (partly or wholly outside the image, inverted, scaled), both layouts, NaN, ±Infinity, ±0: RoI
// pooling (output, argmax, gradient) and RoIAlign's max bit for bit; RoIAlign's average within
// ROI_SPECTRAL_LSTM_GPU_BOUNDS; and both ops through the tape on webgpu against the reference backend.
// Each kernel call must run on the GPU (onGpu), never on its fallback.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getBackend, roiAlign, roiPool, setBackend, tensor, webGpuStatus } from '../../src/index.js';
import { opResults, type PoolOp } from '../helpers/op-results.js';
import { alignFrame, type RoiAlignGeometry } from '../../src/kernels/reference/extra/roi-align.js';
import type { RoiBoxes, RoiGeometry } from '../../src/kernels/reference/extra/roi-geometry.js';
import type { RoiPoolGeometry } from '../../src/kernels/reference/extra/roi-pool.js';
import { referencePoolKernels as reference } from '../../src/kernels/reference/pool-kernels.js';
import { ROI_SPECTRAL_LSTM_GPU_BOUNDS as BOUNDS } from '../../src/kernels/webgpu/kind-roi-spectral-lstm-kernels.js';
import type { RoiGpuKernels } from '../../src/kernels/webgpu/kind-roi-kernels.js';
import { assertSame, filled, generator, type ValueKind } from '../wasm/harness.js';
import { assertWithin, gpu, onGpu, skip, ulp } from './harness.js';

/** The kernels these tests call, from either table. */
type RoiKernels = Pick<RoiGpuKernels, keyof RoiGpuKernels>;

const valueKinds: ValueKind[] = ['plain', 'ties', 'negative', 'special'];

interface RoiCase {
  geometry: RoiGeometry;
  boxes: RoiBoxes;
  input: Float32Array;
  gradOutput: Float32Array;
  label: string;
}

/** Case `index`: 1-2 images of up to 9x9, 1-4 channels, 1-5 boxes reaching up to 3 pixels past every edge. */
function roiCase(index: number): RoiCase {
  const random = generator(1000 + index);
  const draw = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const [batch, channels, inHeight, inWidth] = [draw(1, 2), draw(1, 4), draw(1, 9), draw(1, 9)];
  const [boxCount, outHeight, outWidth] = [draw(1, 5), draw(1, 4), draw(1, 3)];
  const spatialScale = Math.fround([1, 0.5, 0.25, 1.3][index % 4]!);
  const corners = new Float32Array(boxCount * 4);
  for (let box = 0; box < boxCount; box++) {
    // x1, y1, x2, y2 in the input's pixels before the scale; some inverted.
    const [x1, x2] = [random() * (inWidth + 6) - 3, random() * (inWidth + 6) - 3];
    const [y1, y2] = [random() * (inHeight + 6) - 3, random() * (inHeight + 6) - 3];
    // Sorted, or (one box in about seven) inverted: end before start.
    const ordered =
      random() < 0.15 ? [x2, y2, x1, y1] : [Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2)];
    corners.set(
      ordered.map((value) => value / spatialScale),
      box * 4,
    );
  }
  const batchIndices = Int32Array.from({ length: boxCount }, () => draw(0, batch - 1));
  const channelsLast = index % 2 === 0;
  const geometry: RoiGeometry = {
    ...{ channelsLast, batch, channels, inHeight, inWidth, boxCount, outHeight, outWidth, spatialScale },
    inputShape: channelsLast ? [batch, inHeight, inWidth, channels] : [batch, channels, inHeight, inWidth],
    outputShape: channelsLast ? [boxCount, outHeight, outWidth, channels] : [boxCount, channels, outHeight, outWidth],
  };
  const input = filled(geometry.inputShape, valueKinds[index % 4]!, index + 1).values.slice();
  const gradOutput = filled(geometry.outputShape, 'plain', index + 7).values.slice();
  const label = `case ${index} [${geometry.inputShape.join(', ')}] ${boxCount} boxes → ${outHeight}x${outWidth}`;
  return { geometry, boxes: { corners, batchIndices }, input, gradOutput, label };
}

const elements = (shape: readonly number[]) => shape.reduce((total, size) => total * size, 1);

test('roiPoolForward and roiPoolBackward on the GPU equal the reference bit for bit (both rules)', { skip }, () => {
  for (let index = 0; index < 16; index++) {
    const { geometry: sizes, boxes, input, gradOutput, label } = roiCase(index);
    const geometry: RoiPoolGeometry = { ...sizes, maxRule: (index >> 2) % 2 === 1 ? 'onnx' : 'torchvision' };
    const count = elements(geometry.outputShape);
    const forward = (kernels: RoiKernels) => {
      const [output, argmax] = [new Float32Array(count).fill(12345.5), new Int32Array(count).fill(-777)];
      kernels.roiPoolForward(input, boxes, output, argmax, geometry);
      return { output, argmax };
    };
    const expected = forward(reference);
    const actual = onGpu('roiPoolForward', 1, () => forward(gpu()));
    assertSame(actual.output, expected.output, `output ${label} ${geometry.maxRule}`);
    assertSame(actual.argmax, expected.argmax, `argmax ${label} ${geometry.maxRule}`);
    const backward = (kernels: RoiKernels) => {
      const gradInput = new Float32Array(input.length);
      kernels.roiPoolBackward(gradOutput, expected.argmax, boxes.batchIndices, gradInput, geometry);
      return gradInput;
    };
    const gradient = onGpu('roiPoolBackward', 1, () => backward(gpu()));
    assertSame(gradient, backward(reference), `gradient ${label} ${geometry.maxRule}`);
  }
});

/** RoIAlign's settings of case `index`: sampling ratio (adaptive or 1-3), aligned, mode. */
function alignGeometry(sizes: RoiGeometry, index: number): RoiAlignGeometry {
  return {
    ...sizes,
    samplingRatio: [0, 2, -1, 1, 3][index % 5]!,
    aligned: index % 3 === 0,
    mode: index % 4 === 1 ? 'max' : 'average',
  };
}

/** The most samples a bin of any box has. */
function samplesPerBin(geometry: RoiAlignGeometry, boxes: RoiBoxes): number {
  const frames = Array.from({ length: geometry.boxCount }, (_, box) => alignFrame(geometry, boxes.corners, box));
  return Math.max(1, ...frames.map((frame) => frame.count));
}

test('roiAlignForward on the GPU: max bit for bit, average within its bound', { skip }, () => {
  for (let index = 0; index < 20; index++) {
    const { geometry: sizes, boxes, input, label } = roiCase(index);
    const geometry = alignGeometry(sizes, index);
    const count = elements(geometry.outputShape);
    const forward = (kernels: RoiKernels, values = input) => {
      const output = new Float32Array(count).fill(12345.5);
      kernels.roiAlignForward(values, boxes, output, geometry);
      return output;
    };
    const expected = forward(reference);
    const actual = onGpu('roiAlignForward', 1, () => forward(gpu()));
    const name = `output ${label} ratio ${geometry.samplingRatio} aligned ${geometry.aligned} ${geometry.mode}`;
    if (geometry.mode === 'max') {
      assertSame(actual, expected, name);
      continue;
    }
    // Σ|w·x| / count: the average of the magnitudes (the weights are not negative).
    const magnitudes = forward(reference, input.map(Math.abs));
    const terms = 4 * samplesPerBin(geometry, boxes);
    const bound = (at: number) =>
      BOUNDS.alignQuotientUlps * ulp(expected[at]!) + (terms + 2) * 2 ** -24 * magnitudes[at]!;
    assertWithin(actual, expected, bound, name);
  }
});

test('roiAlignBackward on the GPU: max bit for bit, average within its bound', { skip }, () => {
  for (let index = 0; index < 20; index++) {
    const { geometry: sizes, boxes, input, gradOutput, label } = roiCase(index);
    const geometry = alignGeometry(sizes, index);
    const backward = (kernels: RoiKernels, gradients = gradOutput) => {
      const gradInput = new Float32Array(input.length);
      kernels.roiAlignBackward(input, boxes, gradients, gradInput, geometry);
      return gradInput;
    };
    const expected = backward(reference);
    const actual = onGpu('roiAlignBackward', 1, () => backward(gpu()));
    const name = `gradient ${label} ratio ${geometry.samplingRatio} aligned ${geometry.aligned} ${geometry.mode}`;
    if (geometry.mode === 'max') {
      assertSame(actual, expected, name);
      continue;
    }
    const magnitudes = backward(reference, gradOutput.map(Math.abs));
    const shares = 4 * geometry.boxCount * geometry.outHeight * geometry.outWidth * samplesPerBin(geometry, boxes);
    assertWithin(actual, expected, (at) => (shares + BOUNDS.alignShareUlps) * 2 ** -23 * magnitudes[at]!, name);
  }
});

test(
  'roiPool and roiAlign on webgpu through the tape equal the reference backend (output, input gradient)',
  { skip },
  () => {
    const before = getBackend();
    const rows = tensor([0, -1.5, 0.5, 4.2, 3.1, 1, 2, 2, 9.5, 4, 1, 5.5, -2, 6, 7.5], [3, 5]); // partly outside
    // [kernels, the op in a layout, relative bound (0: bit for bit)]
    const pools: [string[], (format: 'channelsLast' | 'channelsFirst') => PoolOp, number][] = [
      [
        ['roiPoolForward', 'roiPoolBackward'],
        (dataFormat) => (x) => roiPool(x, rows, { outputSize: [2, 3], dataFormat }),
        0,
      ],
      [
        ['roiAlignForward', 'roiAlignBackward'],
        (dataFormat) => (x) => roiAlign(x, rows, { outputSize: 2, samplingRatio: 2, dataFormat }),
        2 ** -20,
      ],
    ];
    try {
      for (const format of ['channelsLast', 'channelsFirst'] as const) {
        const input = filled(format === 'channelsLast' ? [2, 6, 7, 3] : [2, 3, 6, 7], 'plain', 5);
        for (const [kernels, poolIn, relative] of pools) {
          const expected = opResults('reference', input, 3, poolIn(format));
          const calls = webGpuStatus()!.gpuCalls;
          const actual = opResults('webgpu', input, 3, poolIn(format));
          for (const kernel of kernels)
            assert.ok((webGpuStatus()!.gpuCalls[kernel] ?? 0) > (calls[kernel] ?? 0), `${kernel} ran on the GPU`);
          for (const part of ['output', 'gradient'] as const) {
            const bound = relative * (1 + Math.max(...expected[part].map(Math.abs)));
            assertWithin(actual[part], expected[part], () => bound, `${kernels[0]} ${part} ${format}`);
          }
        }
      }
    } finally {
      setBackend(before);
    }
  },
);
