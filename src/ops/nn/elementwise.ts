// add, multiply and biasAdd: the element-wise binary ops. Shapes either match, or the smaller
// operand's shape is a suffix of the larger's (a bias over the last axes, or a scalar) and repeats
// along the leading axes; its gradient is the sum over those repeats.
import { recordGrad } from '../../autograd/tape.js';
import { fail } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkTensor } from '../checks.js';

/** Which operand repeats and how often; throws unless one shape is a suffix of the other. */
function broadcastShape(op: string, a: Tensor, b: Tensor): Tensor['shape'] {
  const [large, small] = a.rank >= b.rank ? [a, b] : [b, a];
  const offset = large.rank - small.rank;
  const suffix = small.shape.every((extent, axis) => extent === large.shape[axis + offset]);
  if (!suffix) {
    fail(
      op,
      'b',
      `must have the shape of a, or a suffix of it (or a of b), to broadcast against [${a.shape.join(', ')}]`,
      `shape [${b.shape.join(', ')}]`,
    );
  }
  return large.shape;
}

/** Sums a gradient of the large shape down to the small shape (the repeats of a broadcast). */
export function sumToSize(gradient: Tensor, shape: Tensor['shape']): Tensor {
  const result = Tensor.allocate(shape);
  const target = result.values;
  const source = gradient.values;
  const period = target.length;
  if (period === source.length) {
    target.set(source);
    return result;
  }
  target.fill(0);
  for (let index = 0; index < source.length; index++) target[index % period]! += source[index]!;
  return result;
}

/**
 * a + b, element-wise; b may be a bias over a's last axes (or the reverse).
 * @example add(x, y); add(x, tensor([1, 2, 3]))  // x of shape [..., 3]
 */
export function add(a: Tensor, b: Tensor): Tensor {
  checkTensor('add', 'a', a);
  checkTensor('add', 'b', b);
  const shape = broadcastShape('add', a, b);
  const output = Tensor.allocate(shape);
  const out = output.values;
  const left = a.values;
  const right = b.values;
  const leftPeriod = left.length;
  const rightPeriod = right.length;
  for (let index = 0; index < out.length; index++) {
    out[index] = left[index % leftPeriod]! + right[index % rightPeriod]!;
  }
  recordGrad('add', output, [a, b], (gradOutput) => [
    a.requiresGrad ? sumToSize(gradOutput, a.shape) : null,
    b.requiresGrad ? sumToSize(gradOutput, b.shape) : null,
  ]);
  return output;
}

/**
 * a · b, element-wise, broadcasting like add.
 * @example multiply(x, tensor(0.5, []))
 */
export function multiply(a: Tensor, b: Tensor): Tensor {
  checkTensor('multiply', 'a', a);
  checkTensor('multiply', 'b', b);
  const shape = broadcastShape('multiply', a, b);
  const output = Tensor.allocate(shape);
  productInto(output.values, a.values, b.values);
  recordGrad('multiply', output, [a, b], (gradOutput) => [
    a.requiresGrad ? productGradient(gradOutput, b, a.shape) : null,
    b.requiresGrad ? productGradient(gradOutput, a, b.shape) : null,
  ]);
  return output;
}

function productInto(out: Float32Array, left: Float32Array, right: Float32Array): void {
  const leftPeriod = left.length;
  const rightPeriod = right.length;
  for (let index = 0; index < out.length; index++) {
    out[index] = left[index % leftPeriod]! * right[index % rightPeriod]!;
  }
}

function productGradient(gradOutput: Tensor, other: Tensor, shape: Tensor['shape']): Tensor {
  const full = Tensor.allocate(gradOutput.shape);
  productInto(full.values, gradOutput.values, other.values);
  if (full.size === sizeOfShape(shape)) return full;
  const reduced = sumToSize(full, shape);
  full.dispose();
  return reduced;
}

function sizeOfShape(shape: Tensor['shape']): number {
  return shape.reduce((total, extent) => total * extent, 1);
}

/**
 * x + bias over x's last axis (Keras's bias_add with channels last).
 * @example biasAdd(x, bias) // x [batch, units], bias [units]
 */
export function biasAdd(input: Tensor, bias: Tensor): Tensor {
  checkTensor('biasAdd', 'input', input);
  checkTensor('biasAdd', 'bias', bias);
  if (bias.rank !== 1 || input.rank < 1 || bias.size !== input.shape[input.rank - 1]) {
    fail(
      'biasAdd',
      'bias',
      `must have shape [${input.shape[input.rank - 1]}] (the input's last axis)`,
      `shape [${bias.shape.join(', ')}]`,
    );
  }
  return add(input, bias);
}
