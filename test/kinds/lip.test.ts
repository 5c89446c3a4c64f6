// LIP against hand-worked windows, its limits (a zero logit module is average pooling, a steep one
// approaches max pooling), the authors' lip2d formula in PyTorch (test/golden/lip), NaN, ±Infinity
// and empty windows, finite differences for the input and the logit module's kernel and bias, and a
// layer whose weights the optimizer trains; the registry test (test/pooling/) covers saving and loading.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  avgPool2d,
  backward,
  layers,
  lipPool1d,
  lipPool2d,
  lipPool3d,
  maxPool2d,
  requireGrad,
  sequential,
  tensor,
  tidy,
  zeros,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { decode, goldenCases, type Encoded } from '../helpers/golden-json.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { fitPoolingLayer } from '../helpers/pooling-fit.js';
import { uniformTensor } from '../helpers/uniform.js';

const sigmoid = (value: number) => 1 / (1 + Math.exp(-value));

test('one window [1, 3] with z = 0.5·x − 1: the e^{12·sigmoid(z)}-weighted mean', () => {
  const weights = [1, 3].map((value) => Math.exp(12 * sigmoid(0.5 * value - 1)));
  const expected = (weights[0]! + 3 * weights[1]!) / (weights[0]! + weights[1]!);
  const output = lipPool1d(tensor([1, 3], [1, 2, 1]), tensor([[0.5]]), tensor([-1]), { kernelSize: 2 });
  assertClose(output.values, [expected]);
});

test('a zero logit module (or coefficient 0) is average pooling over in-bounds cells', () => {
  const input = uniformTensor([2, 5, 6, 3], 1);
  const average = avgPool2d(input, { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false });
  const options = { kernelSize: 3, stride: 2, padding: 1 };
  assertClose(lipPool2d(input, zeros([3, 3]), zeros([3]), options).values, average.values);
  const kernel = uniformTensor([3, 3], 2);
  assertClose(lipPool2d(input, kernel, zeros([3]), { ...options, coefficient: 0 }).values, average.values);
});

test('a steep logit module (large coefficient) approaches max pooling', () => {
  // G = 2000·sigmoid(2x) rises by at least 420 per unit of x on [−1, 1]: the largest cell takes it all,
  // up to (gap)·e^{−420·gap} ≤ 1/(420e) where two cells are close.
  const input = uniformTensor([1, 6, 6, 1], 3);
  const steep = lipPool2d(input, tensor([[2]]), zeros([1]), { kernelSize: 2, coefficient: 2000 });
  assertClose(steep.values, maxPool2d(input, { kernelSize: 2 }).values, { absolute: 1e-3 });
});

test('NaN makes its windows NaN, +Infinity gives +Infinity; an empty window gives 0 and no gradient', () => {
  const input = tensor([NaN, 1, Infinity, 1, 2, 3], [1, 6, 1]);
  const output = lipPool1d(input, tensor([[1]]), zeros([1]), { kernelSize: 2 });
  assert.ok(Number.isNaN(output.values[0]));
  assert.deepEqual(Array.from(output.values.slice(1)), [Infinity, output.values[2]]);
  assert.ok(Number.isFinite(output.values[2]));
  // Width 1, window of 2 taps dilated by 2, padding 1: taps at −1 and 1, neither in the input.
  const lone = requireGrad(tensor([5], [1, 1, 1]));
  const empty = lipPool1d(lone, zeros([1, 1]), zeros([1]), { kernelSize: 2, dilation: 2, padding: 1 });
  assert.deepEqual(Array.from(empty.values), [0]);
  backward(empty, tensor([1], [1, 1, 1]));
  assert.deepEqual(Array.from(lone.grad!.values), [0]);
});

interface LipCase {
  name: string;
  dims: 1 | 2 | 3;
  options: Record<string, unknown>;
  inputShape: number[];
  input: Encoded;
  logitKernel: Encoded;
  logitBias: Encoded;
  output: Encoded;
  gradOutput: Encoded;
  gradInput: Encoded;
  gradLogitKernel: Encoded;
  gradLogitBias: Encoded;
}

const OPS = { 1: lipPool1d, 2: lipPool2d, 3: lipPool3d };

for (const golden of goldenCases<LipCase>('lip')) {
  test(`equals the authors' lip2d in PyTorch, forward and gradients of input, kernel and bias: ${golden.name}`, () => {
    tidy(() => {
      const channels = golden.inputShape[golden.options.dataFormat === 'channelsLast' ? golden.dims + 1 : 1]!;
      const input = requireGrad(tensor(decode(golden.input), golden.inputShape));
      const kernel = requireGrad(tensor(decode(golden.logitKernel), [channels, channels]));
      const bias = requireGrad(tensor(decode(golden.logitBias), [channels]));
      const output = OPS[golden.dims](input, kernel, bias, golden.options as never);
      assertClose(output.values, decode(golden.output), { absolute: 1e-5, relative: 1e-5, label: 'output' });
      backward(output, tensor(decode(golden.gradOutput), output.shape));
      const tolerance = { absolute: 1e-4, relative: 1e-4 };
      assertClose(input.grad!.values, decode(golden.gradInput), { ...tolerance, label: 'gradInput' });
      assertClose(kernel.grad!.values, decode(golden.gradLogitKernel), { ...tolerance, label: 'gradLogitKernel' });
      assertClose(bias.grad!.values, decode(golden.gradLogitBias), { ...tolerance, label: 'gradLogitBias' });
    });
  });
}

test('finite differences agree for the input, kernel and bias in 1D, 2D and 3D (padding, dilation, ceil mode)', () => {
  // Small logits keep the soft gate away from its flat ends, where differences lose precision.
  const small = (shape: number[], seed: number) =>
    tensor(
      Array.from(uniformTensor(shape, seed).values, (value) => 0.3 * value),
      shape,
    );
  gradcheck(
    (x, w, b) => lipPool1d(x!, w!, b!, { kernelSize: 3, stride: 2, padding: 1 }),
    [uniformTensor([2, 7, 2], 3), small([2, 2], 4), small([2], 5)],
  );
  gradcheck(
    (x, w, b) => lipPool2d(x!, w!, b!, { kernelSize: 2, stride: 1, dilation: 2, dataFormat: 'channelsFirst' }),
    [uniformTensor([1, 2, 5, 5], 6), small([2, 2], 7), small([2], 8)],
  );
  gradcheck(
    (x, w, b) => lipPool3d(x!, w!, b!, { kernelSize: 2, ceilMode: true, coefficient: 3 }),
    [uniformTensor([1, 3, 3, 3, 2], 9), small([2, 2], 10), small([2], 11)],
  );
});

test('the logit module’s shapes and the coefficient are checked by name', () => {
  const input = uniformTensor([1, 4, 4, 2], 1);
  assert.throws(
    () => lipPool2d(input, zeros([2]), zeros([2]), { kernelSize: 2 }),
    /lipPool2d: logitKernel must have shape \[2, 2\]/,
  );
  assert.throws(
    () => lipPool2d(input, zeros([2, 2]), zeros([3]), { kernelSize: 2 }),
    /lipPool2d: logitBias must have shape \[2\]/,
  );
  assert.throws(
    () => lipPool2d(input, zeros([2, 2]), zeros([2]), { kernelSize: 2, coefficient: -1 }),
    /lipPool2d: coefficient must be a finite number of at least 0/,
  );
});

test('a layer starts as average pooling (zero logit module) and fit() trains its kernel and bias', async () => {
  const built = sequential([layers.lipPooling2d({ poolSize: 2, inputShape: [4, 4, 3] })]);
  assert.deepEqual(
    built.parameters.map(({ name, tensor: weight }) => [name.split('/')[1], weight.shape]),
    [
      ['logit_kernel', [3, 3]],
      ['logit_bias', [3]],
    ],
  );
  const input = uniformTensor([2, 4, 4, 3], 4);
  assertClose((built.predict(input) as { values: Float32Array }).values, avgPool2d(input, { kernelSize: 2 }).values);
  built.dispose();
  const fit = await fitPoolingLayer(layers.lipPooling2d({ poolSize: 2 }), [4, 6, 6, 2]);
  for (const { name, largest } of fit.changes) assert.ok(largest > 0.01, `${name} moved by ${largest}`);
  assert.ok(fit.lossAfter < fit.lossBefore, `loss ${fit.lossBefore} → ${fit.lossAfter}`);
});
