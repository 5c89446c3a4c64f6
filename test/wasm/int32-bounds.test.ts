// The WebAssembly kernels compute window arithmetic in int32 (issue #20, item 4). The geometry lets
// no size, window span or padded input pass 2^31 - 1; at those limits, and for adaptive windows
// whose o·In passes 2^31, every forward and backward kernel must give the reference's numbers.
import { test } from 'node:test';
import { adaptiveGeometry, type AdaptiveGeometry } from '../../src/geometry/adaptive-geometry.js';
import type { SpatialDims } from '../../src/geometry/layout.js';
import { poolGeometry, type PoolGeometry, type PoolOptions } from '../../src/geometry/pool-geometry.js';
import type { AverageDivisor } from '../../src/kernels/types.js';
import { referenceTrainKernels } from '../../src/kernels/reference/train-kernels.js';
import { wasmTrainKernels } from '../../src/kernels/wasm/train-kernels.js';
import { tidy } from '../../src/tensor/scope.js';
import { assertClose } from '../helpers/assert-close.js';
import {
  convGeometryOf,
  freeHeapArrays,
  heapArray,
  randomArray,
  sizesOf,
  type ConvCase,
} from '../kernels/train-fixtures.js';
import { assertSame, filled, poisoned, reference, wasm, type ValueKind } from './harness.js';

const LARGEST = 2 ** 31 - 1;

interface LimitCase {
  readonly label: string;
  readonly shape: number[];
  readonly rank: SpatialDims;
  readonly options: PoolOptions;
}

const cases: LimitCase[] = [
  { label: 'dilation 2^31 - 1', shape: [1, 3, 2], rank: 1, options: { kernelSize: 1, dilation: LARGEST } },
  {
    label: 'kernel 2, dilation 2^30, SAME',
    shape: [2, 5, 1],
    rank: 1,
    options: { kernelSize: 2, stride: 1, dilation: 2 ** 30, padding: 'same' },
  },
  { label: 'stride 2^31 - 1', shape: [1, 5, 3], rank: 1, options: { kernelSize: 2, stride: LARGEST } },
  { label: 'kernel 2^31 - 1, SAME', shape: [1, 5, 4], rank: 1, options: { kernelSize: LARGEST, padding: 'same' } },
  {
    label: 'kernel 2^31 - 5, stride 1, SAME',
    shape: [1, 5, 1],
    rank: 1,
    options: { kernelSize: LARGEST - 4, stride: 1, padding: 'same' },
  },
  {
    label: 'padding 2^30 - 4 each side, ceil mode',
    shape: [1, 1, 5],
    rank: 1,
    options: { kernelSize: LARGEST - 6, stride: 2, padding: 2 ** 30 - 4, ceilMode: true, dataFormat: 'channelsFirst' },
  },
  {
    label: '2D: a 2^30 - 1 wide window at stride 2^31 - 1',
    shape: [1, 4, 3, 5],
    rank: 2,
    options: { kernelSize: [2, 2 ** 30 - 1], stride: [1, LARGEST], padding: 'same' },
  },
  {
    label: '3D: 1290 per axis, 2^31 - 1 taps',
    shape: [1, 2, 3, 2, 4],
    rank: 3,
    options: { kernelSize: 1290, stride: 1, padding: 'same' },
  },
];

const divisors: AverageDivisor[] = [
  { countIncludePad: false, divisorOverride: null },
  { countIncludePad: true, divisorOverride: null },
  { countIncludePad: false, divisorOverride: 3 },
];

/** Runs `write` on a poisoned tensor per backend and compares them. */
function compare(
  shape: readonly number[],
  label: string,
  write: (kernels: typeof reference, into: Float32Array) => void,
): void {
  const expected = poisoned(shape);
  write(reference, expected.values);
  const actual = poisoned(shape);
  write(wasm(), actual.values);
  assertSame(actual.values, expected.values, label);
}

function checkPool(geometry: PoolGeometry, label: string, values: ValueKind): void {
  tidy(() => {
    const input = filled(geometry.inputShape, values, 11);
    const gradOutput = filled(geometry.outputShape, 'plain', 12);
    const output = poisoned(geometry.outputShape);
    const argmax = poisoned(geometry.outputShape, 'int32');
    reference.maxPoolForward(input.values, output.values, argmax.intValues, geometry);
    compare(geometry.outputShape, `${label}: max`, (kernels, into) =>
      kernels.maxPoolForward(input.values, into, null, geometry),
    );
    compare(geometry.inputShape, `${label}: max backward`, (kernels, into) =>
      kernels.maxPoolBackward(gradOutput.values, argmax.intValues, into, geometry),
    );
    for (const divisor of divisors) {
      const rule = `${label}: average ${JSON.stringify(divisor)}`;
      compare(geometry.outputShape, rule, (kernels, into) =>
        kernels.avgPoolForward(input.values, into, geometry, divisor),
      );
      compare(geometry.inputShape, `${rule} backward`, (kernels, into) =>
        kernels.avgPoolBackward(gradOutput.values, into, geometry, divisor),
      );
    }
    for (const p of [1, 2]) {
      compare(geometry.outputShape, `${label}: lp ${p}`, (kernels, into) =>
        kernels.lpPoolForward(input.values, into, geometry, p),
      );
      reference.lpPoolForward(input.values, output.values, geometry, p);
      compare(geometry.inputShape, `${label}: lp ${p} backward`, (kernels, into) =>
        kernels.lpPoolBackward(input.values, output.values, gradOutput.values, into, geometry, p),
      );
    }
  });
}

test('pooling windows at the int32 limits: wasm equals the reference, forward and backward', () => {
  for (const { label, shape, rank, options } of cases) {
    const geometry = poolGeometry('test', shape, rank, options);
    checkPool(geometry, label, 'plain');
    checkPool(geometry, label, 'special');
  }
});

function checkAdaptive(geometry: AdaptiveGeometry, label: string): void {
  tidy(() => {
    const input = filled(geometry.inputShape, 'ties', 21);
    const gradOutput = filled(geometry.outputShape, 'plain', 22);
    compare(geometry.outputShape, `${label}: adaptive max`, (kernels, into) =>
      kernels.adaptiveMaxPoolForward(input.values, into, null, geometry),
    );
    compare(geometry.outputShape, `${label}: adaptive average`, (kernels, into) =>
      kernels.adaptiveAvgPoolForward(input.values, into, geometry),
    );
    compare(geometry.inputShape, `${label}: adaptive average backward`, (kernels, into) =>
      kernels.adaptiveAvgPoolBackward(gradOutput.values, into, geometry),
    );
  });
}

test('adaptive windows whose o·In passes 2^31: wasm equals the reference', () => {
  // 65536·65535 and 46341·60000 pass 2^31: the int32 products wrapped before they were made in 64 bits.
  checkAdaptive(adaptiveGeometry('test', [1, 65536, 1], 1, 65535), 'In 65536, Out 65535');
  checkAdaptive(adaptiveGeometry('test', [1, 46341, 1], 1, 60000), 'In 46341, Out 60000');
  checkAdaptive(adaptiveGeometry('test', [1, 1, 2, 50000], 2, [3, 47000], 'channelsFirst'), '2D, In 50000, Out 47000');
});

const convCasesAtLimits: ConvCase[] = [
  // SAME with a 2^30-dilated pair of taps at stride 2^31 - 1: padLeft + stride passes 2^31.
  {
    batch: 1,
    height: 3,
    width: 5,
    channels: 2,
    outChannels: 3,
    kernelHeight: 1,
    kernelWidth: 2,
    stride: [1, LARGEST],
    dilation: [1, 2 ** 30],
    padding: 'same',
  },
  {
    batch: 2,
    height: 4,
    width: 6,
    channels: 5,
    outChannels: 2,
    kernelHeight: 2,
    kernelWidth: 3,
    stride: [LARGEST, 2 ** 30],
    dilation: [2 ** 29, 2 ** 29],
    padding: 'same',
  },
  {
    batch: 1,
    height: 2,
    width: 9,
    channels: 1,
    outChannels: 1,
    kernelHeight: 1,
    kernelWidth: 1,
    stride: [LARGEST, LARGEST],
    dilation: [LARGEST, LARGEST],
    padding: 'valid',
  },
];

test('convolutions at the int32 limits: the wasm training kernels equal the reference', () => {
  const trainKernels = wasmTrainKernels as Required<typeof wasmTrainKernels>;
  for (const spec of convCasesAtLimits) {
    const geometry = convGeometryOf(spec);
    const sizes = sizesOf(geometry);
    const input = heapArray(randomArray(sizes.input, 1));
    const filter = heapArray(randomArray(sizes.filter, 2));
    const gradOutput = heapArray(randomArray(sizes.output, 3));
    const label = JSON.stringify(spec);
    const outputs = (kernels: typeof trainKernels) => {
      const output = heapArray(new Float32Array(sizes.output).fill(NaN));
      kernels.conv2dForward(input, filter, null, output, geometry);
      const gradInput = heapArray(new Float32Array(sizes.input).fill(NaN));
      kernels.conv2dBackwardInput(gradOutput, filter, gradInput, geometry);
      const gradFilter = heapArray(new Float32Array(sizes.filter).fill(NaN));
      kernels.conv2dBackwardFilter(input, gradOutput, gradFilter, geometry);
      return [output, gradInput, gradFilter];
    };
    const expected = outputs(referenceTrainKernels as typeof trainKernels);
    outputs(trainKernels).forEach((actual, index) =>
      assertClose(actual, expected[index]!, { absolute: 1e-5, relative: 1e-5, label: `${label} [${index}]` }),
    );
    freeHeapArrays();
  }
});
