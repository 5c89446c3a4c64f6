// poolkit against TensorFlow.js's CPU backend where tfjs takes a path of its own: tf.pool with dilation
// (through spaceToBatchND), and the tfjs 4.22 CPU defects that tfjs-pool.test.ts works around, pinned.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core registers no gradients by itself; tfjs-layers registers them all.
import '@tensorflow/tfjs-layers';
import { avgPool2d, backward, maxPool2d, maxPool3d, Random, requireGrad, tensor, tidy } from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';

before(async () => {
  await tf.setBackend('cpu');
});

const CASES_PER_KIND = 12;
type Kind = 'max' | 'avg';

/**
 * tf.pool with dilation (stride 1, which tfjs requires) runs through spaceToBatchND, whose padding is
 * zeros: VALID matches poolkit's defaults, and a dilated SAME average divides by every tap, which is
 * poolkit's countIncludePad: true. (A dilated SAME max sees those zeros too; pinned below.)
 */
function compareDilated(kind: Kind, padding: 'valid' | 'same', random: Random): void {
  const spatial = [3 + random.integer(5), 3 + random.integer(5)];
  const kernel = [1 + random.integer(3), 1 + random.integer(3)] as [number, number];
  const dilation = kernel.map((size, axis) => {
    const room = padding === 'valid' ? Math.floor((spatial[axis]! - 1) / Math.max(size - 1, 1)) : 3;
    return 1 + random.integer(Math.max(1, Math.min(room, 3)));
  }) as [number, number];
  const shape = [1 + random.integer(2), ...spatial, 1 + random.integer(2)];
  const values = Float32Array.from({ length: shape.reduce((product, extent) => product * extent, 1) }, () =>
    random.normal(),
  );
  const pool = (x: tf.Tensor) => tf.pool(x as tf.Tensor4D, kernel, kind, padding, dilation, 1);
  const expected = tf.tidy(() => {
    const x = tf.tensor(values, shape);
    const y = pool(x);
    const upstream = tf.randomUniform(y.shape, -1, 1, 'float32', random.integer(1 << 30));
    const gradient = tf.grad(pool)(x, upstream);
    return [y, upstream, gradient].map((item) => Float32Array.from(item.dataSync()));
  });
  // Without dilation tf.pool is plain tf.avgPool/tf.maxPool, compared above.
  if (dilation.every((rate) => rate === 1) || kernel.every((size) => size === 1)) {
    compareDilated(kind, padding, random);
    return;
  }
  const options = { kernelSize: kernel, stride: 1, dilation, padding };
  const countIncludePad = padding === 'same';
  const label = JSON.stringify({ kind, shape, ...options, ...(kind === 'max' ? {} : { countIncludePad }) });
  tidy(() => {
    const x = requireGrad(tensor(values, shape));
    const y = kind === 'max' ? maxPool2d(x, options) : avgPool2d(x, { ...options, countIncludePad });
    assertClose(y.values, expected[0]!, { label: `${label} output` });
    backward(y, tensor(expected[1]!, y.shape));
    assertClose(x.grad!.values, expected[2]!, { label: `${label} gradient` });
  });
}

for (const [kind, padding] of [
  ['max', 'valid'],
  ['avg', 'valid'],
  ['avg', 'same'],
] as const) {
  test(`TensorFlow.js tf.pool ${kind} ${padding} with dilation: ${CASES_PER_KIND} random cases`, () => {
    const random = new Random(kind === 'max' ? 77 : padding === 'valid' ? 78 : 79);
    for (let index = 0; index < CASES_PER_KIND; index++) compareDilated(kind, padding, random);
  });
}

test('tfjs difference pinned: a dilated SAME max pool (tf.pool) pads with zeros, poolkit with -Infinity', () => {
  const values = [-1, -2, -3, -4, -5, -6, -7, -8, -9];
  const options = { kernelSize: 2, stride: 1, dilation: 2, padding: 'same' as const };
  const tfjs = tf.tidy(() => tf.pool(tf.tensor4d(values, [1, 3, 3, 1]), 2, 'max', 'same', 2, 1).dataSync());
  assert.deepEqual(Array.from(tfjs), [0, 0, 0, 0, -1, 0, 0, 0, 0]);
  // poolkit: the in-bounds taps only; the corner (0,0) sees just cell (1,1) = -5.
  assert.deepEqual(
    Array.from(maxPool2d(tensor(values, [1, 3, 3, 1]), options).values),
    [-5, -4, -5, -2, -1, -2, -5, -4, -5],
  );
});

// The three tfjs 4.22 CPU defects that tfjs-pool.test.ts works around (in randomConfig and
// tfjsGradientForm); if tfjs fixes one, its test here fails and the work-around can go.
test('tfjs defect pinned: avgPool SAME gradient divides by the full window, unlike its forward', () => {
  const gradient = tf.tidy(() =>
    tf
      .grad((x: tf.Tensor) => tf.avgPool(x as tf.Tensor4D, 3, 1, 'same'))(tf.zeros([1, 3, 3, 1]), tf.ones([1, 3, 3, 1]))
      .dataSync(),
  );
  // Corner cell: in the windows of outputs (0,0), (0,1), (1,0), (1,1) with 4, 6, 6, 9 in-bounds cells.
  assert.equal(gradient[0], Math.fround(4 / 9));
  const x = requireGrad(tensor(new Float32Array(9), [1, 3, 3, 1]));
  backward(
    avgPool2d(x, { kernelSize: 3, stride: 1, padding: 'same' }),
    tensor(new Float32Array(9).fill(1), [1, 3, 3, 1]),
  );
  assertClose([x.grad!.values[0]!], [1 / 4 + 1 / 6 + 1 / 6 + 1 / 9]);
});

test('tfjs defect pinned: maxPool3d gradient misroutes when the window height differs from its width', () => {
  // One output whose max sits at window position (row 1, column 0) of a 2x1 window: flat index 1.
  const gradient = tf.tidy(() =>
    tf
      .grad((x: tf.Tensor) => tf.maxPool3d(x as tf.Tensor5D, [1, 2, 1], 1, 'valid'))(
        tf.tensor5d([0, 1], [1, 1, 2, 1, 1]),
        tf.ones([1, 1, 1, 1, 1]),
      )
      .dataSync(),
  );
  assert.deepEqual(Array.from(gradient), [0, 0]);
  const x = requireGrad(tensor([0, 1], [1, 1, 2, 1, 1]));
  backward(maxPool3d(x, { kernelSize: [1, 2, 1], stride: 1 }), tensor([1], [1, 1, 1, 1, 1]));
  assert.deepEqual(Array.from(x.grad!.values), [0, 1]);
});

test('tfjs defect pinned: 3D SAME pads go negative when the stride passes the window', () => {
  // Depth 2, window 1, stride 3: TensorFlow pads max(0, 0·3 + 1 - 2) = 0 and reads slice 0.
  const output = tf.tidy(() => tf.maxPool3d(tf.tensor5d([1, 2], [1, 2, 1, 1, 1]), 1, [3, 1, 1], 'same').dataSync());
  assert.deepEqual(Array.from(output), [2]);
  const planar = tf.tidy(() => tf.maxPool(tf.tensor4d([1, 2], [1, 2, 1, 1]), 1, [3, 1], 'same').dataSync());
  assert.deepEqual(Array.from(planar), [1]);
  const poolkit = maxPool3d(tensor([1, 2], [1, 2, 1, 1, 1]), { kernelSize: 1, stride: [3, 1, 1], padding: 'same' });
  assert.deepEqual(Array.from(poolkit.values), [1]);
});
