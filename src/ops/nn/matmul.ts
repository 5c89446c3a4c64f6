// matmul (2D, optional transposes) and dense (x·W + b over the last axis), both on the kernel
// table's matmul. Backward passes are matmuls too, skipped for inputs that need no gradient.
import { recordGrad } from '../../autograd/tape.js';
import { fail } from '../../errors.js';
import { kernel } from '../../kernels/backend.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkKnownOptions, checkOptions, checkTensor, optionKeys } from '../checks.js';

export interface MatmulOpOptions {
  /** Use a transposed: a is stored [k, m]. */
  transposeA?: boolean;
  /** Use b transposed: b is stored [n, k]. */
  transposeB?: boolean;
}

const MATMUL_KEYS = optionKeys<MatmulOpOptions>({ transposeA: true, transposeB: true });

/** out = op(a)·op(b) (or out += when accumulate) through the active backend's kernel. */
function product(
  a: Tensor,
  b: Tensor,
  out: Tensor,
  transposeA: boolean,
  transposeB: boolean,
  accumulate = false,
): void {
  const m = transposeA ? a.shape[1]! : a.shape[0]!;
  const k = transposeA ? a.shape[0]! : a.shape[1]!;
  const n = transposeB ? b.shape[0]! : b.shape[1]!;
  kernel('matmul')(a.kernelValues, b.kernelValues, out.kernelValues, { m, k, n, transposeA, transposeB, accumulate });
}

/**
 * The matrix product op(a)·op(b) of two rank-2 tensors.
 * @example matmul(x, w)                        // [m, k]·[k, n] → [m, n]
 * @example matmul(x, w, { transposeB: true })  // [m, k]·[n, k]ᵀ → [m, n]
 */
export function matmul(a: Tensor, b: Tensor, options?: MatmulOpOptions): Tensor {
  checkTensor('matmul', 'a', a);
  checkTensor('matmul', 'b', b);
  const { transposeA = false, transposeB = false } = checkOptions('matmul', options, false);
  checkKnownOptions('matmul', options, MATMUL_KEYS);
  if (a.rank !== 2) fail('matmul', 'a', 'must have rank 2', `shape [${a.shape.join(', ')}]`);
  if (b.rank !== 2) fail('matmul', 'b', 'must have rank 2', `shape [${b.shape.join(', ')}]`);
  const inner = transposeA ? a.shape[0] : a.shape[1];
  if ((transposeB ? b.shape[1] : b.shape[0]) !== inner) {
    fail(
      'matmul',
      'b',
      `must have ${inner} ${transposeB ? 'columns' : 'rows'} to match a`,
      `shape [${b.shape.join(', ')}]`,
    );
  }
  const shape = [transposeA ? a.shape[1]! : a.shape[0]!, transposeB ? b.shape[0]! : b.shape[1]!];
  const output = Tensor.allocate(shape, 'float32', [a, b]);
  product(a, b, output, transposeA, transposeB);
  recordGrad('matmul', output, [a, b], (gradOutput) => [
    a.requiresGrad ? matmulGradA(a, b, gradOutput, transposeA, transposeB) : null,
    b.requiresGrad ? matmulGradB(a, b, gradOutput, transposeA, transposeB) : null,
  ]);
  return output;
}

function matmulGradA(a: Tensor, b: Tensor, grad: Tensor, transposeA: boolean, transposeB: boolean): Tensor {
  const gradA = Tensor.allocate(a.shape, 'float32', [a, b, grad]);
  if (transposeA)
    product(b, grad, gradA, transposeB, true); // [k, m] = op(b)·gᵀ
  else product(grad, b, gradA, false, !transposeB); // [m, k] = g·op(b)ᵀ
  return gradA;
}

function matmulGradB(a: Tensor, b: Tensor, grad: Tensor, transposeA: boolean, transposeB: boolean): Tensor {
  const gradB = Tensor.allocate(b.shape, 'float32', [a, b, grad]);
  if (transposeB)
    product(grad, a, gradB, true, transposeA); // [n, k] = gᵀ·op(a)
  else product(a, grad, gradB, !transposeA, false); // [k, n] = op(a)ᵀ·g
  return gradB;
}

/**
 * Keras's Dense without activation: x·kernel + bias over x's last axis.
 * @example dense(x, kernel, bias) // x [batch, 5408], kernel [5408, 128], bias [128] → [batch, 128]
 */
export function dense(input: Tensor, kernelWeights: Tensor, bias: Tensor | null = null): Tensor {
  checkTensor('dense', 'input', input);
  checkTensor('dense', 'kernel', kernelWeights);
  if (bias !== null) checkTensor('dense', 'bias', bias);
  const units = kernelWeights.shape[1]!;
  const features = input.shape[input.rank - 1];
  if (kernelWeights.rank !== 2 || kernelWeights.shape[0] !== features || input.rank < 2) {
    fail(
      'dense',
      'kernel',
      `must have shape [${features}, units] for an input of rank >= 2`,
      `shape [${kernelWeights.shape.join(', ')}]`,
    );
  }
  if (bias !== null && (bias.rank !== 1 || bias.size !== units)) {
    fail('dense', 'bias', `must have shape [${units}]`, `shape [${bias.shape.join(', ')}]`);
  }
  const rows = input.size / features!;
  const flat = input.reshape([rows, features!]);
  const output = Tensor.allocate([...input.shape.slice(0, -1), units], 'float32', [input, kernelWeights, bias]);
  const output2d = output.reshape([rows, units]);
  if (bias !== null) fillRows(output2d, bias);
  product(flat, kernelWeights, output2d, false, false, bias !== null);
  flat.dispose();
  output2d.dispose();
  const inputs = bias === null ? [input, kernelWeights] : [input, kernelWeights, bias];
  recordGrad('dense', output, inputs, (gradOutput) => denseBackward(input, kernelWeights, bias, gradOutput, rows));
  return output;
}

/** Copies `row` into every row of `target` [rows, width]; on the GPU (either of them) by biasAdd on its zeros. */
function fillRows(target: Tensor, row: Tensor): void {
  const [rows, width] = target.shape as [number, number];
  if (rows === 0) return;
  if (row.home === 'webgpu' || target.home === 'webgpu') {
    // A GPU output starts zero-filled (Tensor.allocate); a heap one is zeroed here.
    if (target.home !== 'webgpu') target.values.fill(0);
    kernel('biasAdd')(target.kernelValues, row.kernelValues, { rows, columns: width });
    return;
  }
  const [values, source] = [target.values, row.values];
  for (let index = 0; index < rows; index++) values.set(source, index * width);
}

function denseBackward(input: Tensor, weights: Tensor, bias: Tensor | null, gradOutput: Tensor, rows: number) {
  const [features, units] = weights.shape as [number, number];
  const grad2d = gradOutput.reshape([rows, units]);
  const flat = input.reshape([rows, features]);
  let gradInput: Tensor | null = null;
  if (input.requiresGrad) {
    gradInput = Tensor.allocate(input.shape, 'float32', [input, weights, gradOutput]);
    const gradInput2d = gradInput.reshape([rows, features]);
    product(grad2d, weights, gradInput2d, false, true);
    gradInput2d.dispose();
  }
  let gradWeights: Tensor | null = null;
  if (weights.requiresGrad) {
    gradWeights = Tensor.allocate(weights.shape, 'float32', [weights, gradOutput]);
    product(flat, grad2d, gradWeights, true, false);
  }
  const gradBias = bias !== null && bias.requiresGrad ? sumRows(gradOutput, rows, units) : null;
  grad2d.dispose();
  flat.dispose();
  return bias === null ? [gradInput, gradWeights] : [gradInput, gradWeights, gradBias];
}

/**
 * Column sums of a [rows, width] matrix: the gradient of a bias. Computed as ones[1, rows]·matrix
 * on the matmul kernel, which beats a TypeScript loop on a conv layer's 86,528 × 32 gradient; on the
 * GPU for a matrix there by the columnSum kernel (no ones to upload).
 */
export function sumRows(matrix: Tensor, rows: number, width: number): Tensor {
  const result = Tensor.allocate([width], 'float32', [matrix]);
  if (matrix.home === 'webgpu') {
    kernel('columnSum')(matrix.kernelValues, result.kernelValues, { rows, columns: width });
    return result;
  }
  const ones = Tensor.allocate([rows]);
  ones.values.fill(1);
  kernel('matmul')(ones.values, matrix.kernelValues, result.kernelValues, {
    m: 1,
    k: rows,
    n: width,
    transposeA: false,
    transposeB: false,
    accumulate: false,
  });
  ones.dispose();
  return result;
}
