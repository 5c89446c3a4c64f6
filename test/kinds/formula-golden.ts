// The PyTorch golden cases of the formula-defined kinds (test/golden/<kind>/cases.json, written by
// the generate.py beside each): read them, run a case through a poolkit op, and compare the output
// and the gradients of the input and of every parameter with what PyTorch's autograd gave.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { backward, requireGrad, tensor, tidy, type Tensor } from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';

type Encoded = (number | string)[];

export interface GoldenCase {
  name: string;
  op: string;
  options: Record<string, unknown>;
  inputShape: number[];
  input: Encoded;
  parameters: { name: string; shape: number[]; values: Encoded }[];
  outputShape: number[];
  output: Encoded;
  gradOutput: Encoded;
  gradInput: Encoded;
  gradParameters: Encoded[];
  /** Set where PyTorch's gradient follows a rule poolkit does not promise (torch.median among ties). */
  skipGradients?: boolean;
}

export interface GoldenFile {
  generator: string;
  torch: string;
  cases: GoldenCase[];
}

/** An op as the golden tests call it: input, parameter tensors, options. */
export type GoldenOp = (input: Tensor, ...rest: never[]) => Tensor | { output: Tensor };

export function decode(values: Encoded): Float32Array {
  return Float32Array.from(values, (value) => (typeof value === 'number' ? value : Number(value)));
}

/** The cases of test/golden/<kind>/cases.json. */
export function readGolden(kind: string): GoldenFile {
  const url = new URL(`../golden/${kind}/cases.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as GoldenFile;
}

/**
 * Runs one case: output within `tolerance` (relative 1e-5 by default: PyTorch computed in float64,
 * poolkit rounds to float32), then the gradients of the input and of each parameter.
 */
export function checkGoldenCase(item: GoldenCase, op: GoldenOp, tolerance = { absolute: 1e-6, relative: 1e-5 }): void {
  tidy(() => {
    const input = requireGrad(tensor(decode(item.input), item.inputShape));
    const parameters = item.parameters.map((parameter) =>
      requireGrad(tensor(decode(parameter.values), parameter.shape)),
    );
    const call = op as unknown as (...args: unknown[]) => Tensor | { output: Tensor };
    const result = call(input, ...parameters, item.options);
    const output = 'output' in result && !('shape' in result) ? result.output : (result as Tensor);
    assert.deepEqual(output.shape, item.outputShape);
    assertClose(output.values, decode(item.output), { ...tolerance, label: 'output' });
    if (item.skipGradients) return;
    backward(output, tensor(decode(item.gradOutput), item.outputShape));
    assertClose(input.grad!.values, decode(item.gradInput), { ...tolerance, label: 'gradInput' });
    parameters.forEach((parameter, index) => {
      const label = `grad ${item.parameters[index]!.name}`;
      assertClose(parameter.grad!.values, decode(item.gradParameters[index]!), { ...tolerance, label });
    });
  });
}
