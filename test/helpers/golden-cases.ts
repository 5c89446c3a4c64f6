// Reading the PyTorch golden files of test/golden/<kind>/cases.json (golden_common.py's layout) and
// checking an op against one case: output, and the input gradient (and any weight gradients) for the
// case's upstream gradient.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { backward, requireGrad, tensor, tidy, type Tensor } from '../../src/index.js';
import { assertClose } from './assert-close.js';

export type Encoded = (number | 'NaN' | 'Infinity' | '-Infinity')[];

/** A case as golden_common.layout_case writes it, plus the generator's own fields. */
export interface LayoutCase {
  name: string;
  options: Record<string, unknown>;
  inputShape: number[];
  input: Encoded;
  outputShape: number[];
  output: Encoded;
  gradOutput: Encoded;
  gradInput: Encoded;
}

/** The float32 values the generator wrote (NaN and infinities travel as strings). */
export function decode(values: Encoded): Float32Array {
  return Float32Array.from(values, (value) => (typeof value === 'number' ? value : Number(value)));
}

export function readGoldenCases<Case extends LayoutCase>(url: URL): Case[] {
  return (JSON.parse(readFileSync(url, 'utf8')) as { cases: Case[] }).cases;
}

export interface Tolerance {
  absolute?: number;
  relative?: number;
}

/**
 * Runs `op(input, ...weights)` on the case, back-propagates its gradOutput, and compares the output
 * and the gradients: the input's with gradInput, each weight's with `weightGradients` (same order).
 */
export function checkLayoutCase(
  golden: LayoutCase,
  op: (input: Tensor, ...weights: Tensor[]) => Tensor,
  tolerance: Tolerance = {},
  weights: readonly Tensor[] = [],
  weightGradients: readonly Encoded[] = [],
): void {
  tidy(() => {
    const input = requireGrad(tensor(decode(golden.input), golden.inputShape));
    const leaves = weights.map((weight) => requireGrad(weight.clone()));
    const output = op(input, ...leaves);
    assert.deepEqual(output.shape, golden.outputShape, `${golden.name}: output shape`);
    assertClose(output.values, decode(golden.output), { ...tolerance, label: `${golden.name}: output` });
    backward(output, tensor(decode(golden.gradOutput), golden.outputShape));
    assertClose(input.grad!.values, decode(golden.gradInput), { ...tolerance, label: `${golden.name}: gradInput` });
    leaves.forEach((leaf, index) =>
      assertClose(leaf.grad!.values, decode(weightGradients[index]!), {
        ...tolerance,
        label: `${golden.name}: gradient of weight ${index}`,
      }),
    );
  });
}
