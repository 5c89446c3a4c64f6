// Property tests (fast-check) on random shapes and window options: the extra kinds against the
// core ops they reduce to (mixed at a = 1 and 0, gated at w = 0, random pooling's expectation,
// pyramid levels against adaptive pooling) and the bounds stochastic pooling must respect.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  adaptiveAvgPool2d,
  adaptiveMaxPool2d,
  avgPool2d,
  gatedPool2d,
  maxPool2d,
  mixedPool2d,
  randomNormal,
  randomPool2d,
  spatialPyramidPool,
  stochasticPool2d,
  tensor,
  tidy,
  zeros,
  type PoolOptions,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';

const runs = { numRuns: 40, seed: 20261123 };

/** A random input shape and window options that fit it (padding at most half the window). */
const windowCase = fc
  .record({
    batch: fc.integer({ min: 1, max: 2 }),
    channels: fc.integer({ min: 1, max: 3 }),
    height: fc.integer({ min: 1, max: 7 }),
    width: fc.integer({ min: 1, max: 7 }),
    kernel: fc.integer({ min: 1, max: 3 }),
    stride: fc.integer({ min: 1, max: 3 }),
    pad: fc.boolean(),
    channelsFirst: fc.boolean(),
    seed: fc.integer({ min: 0, max: 1000 }),
  })
  .filter(
    (item) => item.kernel <= Math.min(item.height, item.width) + (item.pad ? 2 * Math.floor(item.kernel / 2) : 0),
  );

function setup(item: {
  batch: number;
  channels: number;
  height: number;
  width: number;
  kernel: number;
  stride: number;
  pad: boolean;
  channelsFirst: boolean;
  seed: number;
}) {
  const shape = item.channelsFirst
    ? [item.batch, item.channels, item.height, item.width]
    : [item.batch, item.height, item.width, item.channels];
  const options: PoolOptions = {
    kernelSize: item.kernel,
    stride: item.stride,
    padding: item.pad ? Math.floor(item.kernel / 2) : 0,
    dataFormat: item.channelsFirst ? 'channelsFirst' : 'channelsLast',
  };
  return { input: randomNormal(shape, { seed: item.seed }), options, channels: item.channels };
}

test('mixed pooling is max pooling at a = 1 and the in-bounds average at a = 0; random pooling infers the average', () => {
  fc.assert(
    fc.property(windowCase, (item) =>
      tidy(() => {
        const { input, options } = setup(item);
        const average = avgPool2d(input, { ...options, countIncludePad: false }).values;
        assertClose(mixedPool2d(input, tensor([1]), options).values, maxPool2d(input, options).values);
        assertClose(mixedPool2d(input, tensor([0]), options).values, average, { absolute: 1e-5 });
        assertClose(randomPool2d(input, options).values, average, { absolute: 1e-5 });
        const max = maxPool2d(input, options).values;
        assertClose(
          gatedPool2d(input, zeros([item.kernel * item.kernel]), options).values,
          Array.from(max, (value, index) => (value + average[index]!) / 2),
          { absolute: 1e-5 },
        );
      }),
    ),
    runs,
  );
});

test('stochastic pooling on non-negative inputs: a draw is a window value no larger than the max; inference lies between the average and the max', () => {
  fc.assert(
    fc.property(windowCase, (item) =>
      tidy(() => {
        const { input: signed, options } = setup(item);
        const input = tensor(Float32Array.from(signed.values, Math.abs), signed.shape);
        const max = maxPool2d(input, options).values;
        const average = avgPool2d(input, { ...options, countIncludePad: false }).values;
        const drawn = stochasticPool2d(input, { ...options, training: true, seed: item.seed }).values;
        const expected = stochasticPool2d(input, options).values;
        const values = new Set(input.values);
        drawn.forEach((value, index) => {
          assert.ok(values.has(value) && value <= max[index]!);
          assert.ok(expected[index]! >= average[index]! - 1e-5 && expected[index]! <= max[index]! + 1e-5);
        });
      }),
    ),
    runs,
  );
});

test('each pyramid level equals adaptive max / average pooling to L×L', () => {
  fc.assert(
    fc.property(
      windowCase,
      fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
      fc.boolean(),
      (item, levels, useMax) =>
        tidy(() => {
          const { input, options } = setup(item);
          const mode = useMax ? 'max' : 'average';
          const output = spatialPyramidPool(input, { levels, mode, dataFormat: options.dataFormat });
          let offset = 0;
          const features = output.shape[1]!;
          for (const level of levels) {
            const adaptive = (useMax ? adaptiveMaxPool2d : adaptiveAvgPool2d)(input, {
              outputSize: level,
              dataFormat: options.dataFormat,
            });
            const block = level * level * item.channels;
            for (let sample = 0; sample < item.batch; sample++) {
              const got = output.values.slice(sample * features + offset, sample * features + offset + block);
              assertClose(got, adaptive.values.slice(sample * block, (sample + 1) * block), { absolute: 1e-5 });
            }
            offset += block;
          }
        }),
    ),
    runs,
  );
});
