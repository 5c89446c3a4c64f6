// poolkit against TensorFlow.js's CPU backend on random inputs and options: max and average pooling,
// 2D and 3D, VALID and SAME, NHWC, forward and input gradients. NaN stays out of these inputs: the
// tfjs CPU max pool skips NaN where poolkit (like PyTorch) propagates it (see test/golden instead).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core registers no gradients by itself; tfjs-layers registers them all.
import '@tensorflow/tfjs-layers';
import {
  avgPool2d,
  avgPool3d,
  backward,
  maxPool2d,
  maxPool3d,
  Random,
  requireGrad,
  tensor,
  tidy,
} from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';

before(async () => {
  await tf.setBackend('cpu');
});

type Kind = 'max' | 'avg';
type Dims = 2 | 3;

interface Config {
  kind: Kind;
  dims: Dims;
  shape: number[];
  kernel: number[];
  stride: number[];
  padding: 'valid' | 'same';
}

/**
 * A random configuration: VALID windows always fit, SAME ones may be larger than the input. 3D SAME
 * skips configurations whose TensorFlow pad total would be negative (stride beyond the window at the
 * end): tfjs 4.22 computes 3D SAME pads without TensorFlow's max(0, ...) and shifts those windows
 * (pinned in tfjs-pool-paths.test.ts).
 */
function randomConfig(random: Random, kind: Kind, dims: Dims, padding: 'valid' | 'same'): Config {
  for (;;) {
    const spatial = Array.from({ length: dims }, () => 1 + random.integer(dims === 2 ? 8 : 5));
    const kernel = spatial.map((size) => 1 + random.integer(padding === 'valid' ? Math.min(size, 4) : 4));
    const stride = spatial.map(() => 1 + random.integer(3));
    const shape = [1 + random.integer(2), ...spatial, 1 + random.integer(3)];
    const negativePad = spatial.some(
      (size, axis) => (Math.ceil(size / stride[axis]!) - 1) * stride[axis]! + kernel[axis]! < size,
    );
    if (dims === 3 && padding === 'same' && negativePad) continue;
    return { kind, dims, shape, kernel, stride, padding };
  }
}

function tfjsPool(config: Config, x: tf.Tensor): tf.Tensor {
  const { kind, dims, kernel, stride, padding } = config;
  if (dims === 2) {
    const pool = kind === 'max' ? tf.maxPool : tf.avgPool;
    return pool(x as tf.Tensor4D, kernel as [number, number], stride as [number, number], padding);
  }
  const pool = kind === 'max' ? tf.maxPool3d : tf.avgPool3d;
  return pool(x as tf.Tensor5D, kernel as [number, number, number], stride as [number, number, number], padding);
}

function poolkitPool(config: Config, x: Tensor): Tensor {
  const options = { kernelSize: config.kernel, stride: config.stride, padding: config.padding };
  if (config.dims === 2) return config.kind === 'max' ? maxPool2d(x, options) : avgPool2d(x, options);
  return config.kind === 'max' ? maxPool3d(x, options) : avgPool3d(x, options);
}

/**
 * The gradient tfjs should give. Two tfjs 4.22 CPU kernels are wrong (pinned in tfjs-pool-paths.test.ts):
 * AvgPoolGrad and AvgPool3DGrad divide by the full window even where the SAME forward divides by the
 * in-bounds count, and maxPool3dPositions flattens window positions with the filter height where the
 * width belongs. So SAME averages are rebuilt from tfjs ops with correct gradients, sum over the
 * zero-padded input divided by the in-bounds count, and 3D max pooling as two 2D max poolings (max is
 * separable; the random inputs have no ties).
 */
function tfjsGradientForm(config: Config, x: tf.Tensor): tf.Tensor {
  const { kind, dims, kernel, stride, padding } = config;
  if (kind === 'avg' && padding === 'same') {
    const pads = samePads(config, x.shape);
    const sum = (input: tf.Tensor) =>
      dims === 2
        ? tf.avgPool(input as tf.Tensor4D, kernel as [number, number], stride as [number, number], 'valid')
        : tf.avgPool3d(
            input as tf.Tensor5D,
            kernel as [number, number, number],
            stride as [number, number, number],
            'valid',
          );
    return tf.div(sum(tf.pad(x, pads)), sum(tf.pad(tf.onesLike(x), pads)));
  }
  if (kind === 'max' && dims === 3) {
    const [batch, depth, height, width, channels] = x.shape as number[];
    const planes = tf.maxPool(
      tf.reshape(x, [batch! * depth!, height!, width!, channels!]) as tf.Tensor4D,
      [kernel[1]!, kernel[2]!],
      [stride[1]!, stride[2]!],
      padding,
    );
    const [, outHeight, outWidth] = planes.shape;
    const slices = tf.reshape(planes, [batch!, depth!, outHeight * outWidth, channels!]) as tf.Tensor4D;
    const pooled = tf.maxPool(slices, [kernel[0]!, 1], [stride[0]!, 1], padding);
    return tf.reshape(pooled, [batch!, pooled.shape[1], outHeight, outWidth, channels!]);
  }
  return tfjsPool(config, x);
}

/** TensorFlow's own SAME pads (tf.backend_util), as tf.pad wants them. */
function samePads(config: Config, shape: number[]): [number, number][] {
  const { kernel, stride } = config;
  if (config.dims === 2) {
    const info = tf.backend_util.computePool2DInfo(
      shape as [number, number, number, number],
      kernel as [number, number],
      stride as [number, number],
      1,
      'same',
    );
    return [
      [0, 0],
      [info.padInfo.top, info.padInfo.bottom],
      [info.padInfo.left, info.padInfo.right],
      [0, 0],
    ];
  }
  const info = tf.backend_util.computePool3DInfo(
    shape as [number, number, number, number, number],
    kernel as [number, number, number],
    stride as [number, number, number],
    1,
    'same',
  );
  const { front, back, top, bottom, left, right } = info.padInfo;
  return [
    [0, 0],
    [front, back],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

function compare(config: Config, seed: number): void {
  const random = new Random(seed);
  const size = config.shape.reduce((product, extent) => product * extent, 1);
  const values = Float32Array.from({ length: size }, () => random.normal());
  const expected = tf.tidy(() => {
    const x = tf.tensor(values, config.shape);
    const y = tfjsPool(config, x);
    // The gradient form must compute the same function as the tfjs op it stands in for.
    assertClose(tfjsGradientForm(config, x).dataSync(), y.dataSync(), { label: 'tfjs gradient form' });
    const upstream = tf.tensor(
      Float32Array.from({ length: y.size }, () => random.uniform() * 2 - 1),
      y.shape,
    );
    const gradient = tf.grad((input: tf.Tensor) => tfjsGradientForm(config, input))(x, upstream);
    return {
      shape: y.shape,
      output: Float32Array.from(y.dataSync()),
      upstream: Float32Array.from(upstream.dataSync()),
      gradient: Float32Array.from(gradient.dataSync()),
    };
  });
  tidy(() => {
    const x = requireGrad(tensor(values, config.shape));
    const y = poolkitPool(config, x);
    assert.deepEqual(y.shape, expected.shape, 'output shape');
    const tolerance = config.kind === 'max' ? { absolute: 0, relative: 0 } : { absolute: 1e-6, relative: 1e-5 };
    assertClose(y.values, expected.output, { ...tolerance, label: 'output' });
    backward(y, tensor(expected.upstream, y.shape));
    assertClose(x.grad!.values, expected.gradient, { absolute: 1e-6, relative: 1e-5, label: 'gradient' });
  });
}

const CASES_PER_KIND = 12;
for (const kind of ['max', 'avg'] as const) {
  for (const dims of [2, 3] as const) {
    for (const padding of ['valid', 'same'] as const) {
      test(`TensorFlow.js ${kind}Pool${dims === 3 ? '3d' : ''} ${padding}: ${CASES_PER_KIND} random NHWC cases`, () => {
        const random = new Random(1000 * dims + (kind === 'max' ? 0 : 100) + (padding === 'same' ? 10 : 0));
        for (let index = 0; index < CASES_PER_KIND; index++) {
          const config = randomConfig(random, kind, dims, padding);
          const seed = random.integer(1 << 30);
          try {
            compare(config, seed);
          } catch (error) {
            throw new Error(`case ${JSON.stringify(config)} (seed ${seed}): ${(error as Error).message}`);
          }
        }
      });
    }
  }
}

test('TensorFlow.js avgPool SAME divides by the in-bounds count (poolkit default for same)', () => {
  const values = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const expected = tf.tidy(() => tf.avgPool(tf.tensor4d(values, [1, 3, 3, 1]), 3, 1, 'same').dataSync());
  // Corner: (1 + 2 + 4 + 5) / 4 = 3, not / 9.
  assert.equal(expected[0], 3);
  assertClose(avgPool2d(tensor(values, [1, 3, 3, 1]), { kernelSize: 3, stride: 1, padding: 'same' }).values, expected);
});
