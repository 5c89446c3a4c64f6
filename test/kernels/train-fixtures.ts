// Shared by the training-kernel tests: conv geometry from plain sizes, seeded random arrays,
// fast-check arbitraries for convolution shapes (stride, dilation, 'same', 'valid', explicit pads),
// and the thread set-up of a describe block.
import { after, before } from 'node:test';
import fc from 'fast-check';
import { poolGeometry, Random, type ConvGeometry, type Padding } from '../../src/index.js';
import { setParallelThreshold, setThreadCount, threadsReady } from '../../src/kernels/wasm/threads.js';
import { heap } from '../../src/tensor/heap.js';

export interface ConvCase {
  batch: number;
  height: number;
  width: number;
  channels: number;
  outChannels: number;
  kernelHeight: number;
  kernelWidth: number;
  stride: [number, number];
  dilation: [number, number];
  padding: Padding;
}

export function convGeometryOf(spec: ConvCase): ConvGeometry {
  const pool = poolGeometry('conv2d', [spec.batch, spec.height, spec.width, spec.channels], 2, {
    kernelSize: [spec.kernelHeight, spec.kernelWidth],
    stride: spec.stride,
    dilation: spec.dilation,
    padding: spec.padding,
  });
  const outputShape = Object.freeze([spec.batch, pool.outHeight, pool.outWidth, spec.outChannels]);
  return Object.freeze({ ...pool, outChannels: spec.outChannels, outputShape });
}

export function randomArray(length: number, seed: number): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length }, () => random.uniform() * 2 - 1);
}

export function sizesOf(geometry: ConvGeometry): { input: number; filter: number; output: number } {
  const { batch, inHeight, inWidth, channels, outChannels, outHeight, outWidth } = geometry;
  return {
    input: batch * inHeight * inWidth * channels,
    filter: geometry.kernelHeight * geometry.kernelWidth * channels * outChannels,
    output: batch * outHeight * outWidth * outChannels,
  };
}

/** Random matmul sizes up to `maximum` with either transpose and accumulate. */
export const matmulShapes = (maximum: number) =>
  fc.record({
    m: fc.integer({ min: 1, max: maximum }),
    k: fc.integer({ min: 1, max: maximum }),
    n: fc.integer({ min: 1, max: maximum }),
    transposeA: fc.boolean(),
    transposeB: fc.boolean(),
    accumulate: fc.boolean(),
  });

/** Random conv shapes whose window fits the input; `strideOrDilation` keeps one of them 1 (TensorFlow.js's rule). */
export function convCases(options: {
  channels?: fc.Arbitrary<number>;
  outChannels?: fc.Arbitrary<number>;
  strideOrDilation?: boolean;
}): fc.Arbitrary<ConvCase> {
  const pair = fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }));
  return fc
    .record({
      batch: fc.integer({ min: 1, max: 2 }),
      extraHeight: fc.integer({ min: 0, max: 5 }),
      extraWidth: fc.integer({ min: 0, max: 5 }),
      channels: options.channels ?? fc.integer({ min: 1, max: 4 }),
      outChannels: options.outChannels ?? fc.integer({ min: 1, max: 5 }),
      kernelHeight: fc.integer({ min: 1, max: 3 }),
      kernelWidth: fc.integer({ min: 1, max: 3 }),
      stride: pair,
      dilation: pair,
      padding: fc.constantFrom<'valid' | 'same' | 'explicit'>('valid', 'same', 'explicit'),
      dilated: fc.boolean(),
    })
    .map((draw): ConvCase => {
      const oneOfThem = options.strideOrDilation ?? false;
      const stride: [number, number] = oneOfThem && draw.dilated ? [1, 1] : draw.stride;
      const dilation: [number, number] = oneOfThem && !draw.dilated ? [1, 1] : draw.dilation;
      const padding: Padding =
        draw.padding === 'explicit'
          ? [
              [Math.floor(draw.kernelHeight / 2), 0],
              [0, Math.floor(draw.kernelWidth / 2)],
            ]
          : draw.padding;
      return {
        batch: draw.batch,
        height: (draw.kernelHeight - 1) * dilation[0] + 1 + draw.extraHeight,
        width: (draw.kernelWidth - 1) * dilation[1] + 1 + draw.extraWidth,
        channels: draw.channels,
        outChannels: draw.outChannels,
        kernelHeight: draw.kernelHeight,
        kernelWidth: draw.kernelWidth,
        stride,
        dilation,
        padding,
      };
    });
}

/** A copy of `values` in the shared heap, where the wasm kernels need their operands; free with freeHeapArrays. */
export function heapArray(values: Float32Array): Float32Array {
  const offset = heap.alloc(values.length * 4);
  const view = new Float32Array(heap.memory.buffer, offset, values.length);
  view.set(values);
  heapArrays.push(view);
  return view;
}

const heapArrays: Float32Array[] = [];

export function freeHeapArrays(): void {
  for (const view of heapArrays.splice(0)) heap.free(view.byteOffset, view.byteLength);
}

/** In a describe block: run its tests on `threads` threads with every kernel split (threshold 0), then restore one thread. */
export function onThreads(threads: number): void {
  before(async () => {
    await setThreadCount(threads);
    await threadsReady();
    setParallelThreshold(0); // split even the small random cases
  });
  after(async () => {
    setParallelThreshold();
    await setThreadCount(1);
  });
}
