// An op's results on one backend, for tests that compare backends through the ops: its output, its
// indices when it returns them, and the input gradient of a plain-valued output gradient.
import { backward, requireGrad, setBackend, type Tensor } from '../../src/index.js';
import type { PoolWithIndices } from '../../src/pooling/kind.js';
import { tidy } from '../../src/tensor/scope.js';
import { filled } from '../wasm/harness.js';

export type PoolOp = (input: Tensor) => Tensor | PoolWithIndices;

/** The op on `backend` (left active): output, indices (empty when none) and input gradient, as copies. */
export function opResults(backend: string, input: Tensor, seed: number, pool: PoolOp) {
  setBackend(backend);
  return tidy(() => {
    input.grad = null;
    requireGrad(input);
    const result = pool(input);
    const output = 'indices' in result ? result.output : result;
    backward(output, filled(output.shape, 'plain', seed));
    const indices = 'indices' in result ? result.indices.intValues.slice() : new Int32Array(0);
    return { output: output.values.slice(), indices, gradient: input.grad!.values.slice() };
  });
}
