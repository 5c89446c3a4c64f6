// add, subtract, multiply, divide (TensorFlow.js's add, sub, mul, div) and biasAdd: the element-wise
// binary ops. Operands broadcast as NumPy and TensorFlow.js do (see broadcast.ts); a number stands for
// a scalar. Each operand's gradient is summed back over the elements it was repeated into.
import { recordGrad } from '../../autograd/tape.js';
import { fail } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkTensor } from '../checks.js';
import { broadcastShapes, operandIndices } from './broadcast.js';

/** A tensor, or a number standing for a scalar tensor. */
export type Operand = Tensor | number;

/** How one binary op computes its output and the local gradients of each operand. */
interface BinaryRule {
  readonly forward: (left: number, right: number) => number;
  /** ∂out/∂left · gradient, from the gradient and both operands' values. */
  readonly gradLeft: (gradient: number, left: number, right: number) => number;
  readonly gradRight: (gradient: number, left: number, right: number) => number;
}

const RULES = {
  add: {
    forward: (left, right) => left + right,
    gradLeft: (gradient) => gradient,
    gradRight: (gradient) => gradient,
  },
  subtract: {
    forward: (left, right) => left - right,
    gradLeft: (gradient) => gradient,
    gradRight: (gradient) => -gradient,
  },
  multiply: {
    forward: (left, right) => left * right,
    gradLeft: (gradient, _left, right) => gradient * right,
    gradRight: (gradient, left) => gradient * left,
  },
  divide: {
    forward: (left, right) => left / right,
    gradLeft: (gradient, _left, right) => gradient / right,
    gradRight: (gradient, left, right) => (-gradient * left) / (right * right),
  },
} satisfies Record<string, BinaryRule>;

function operand(op: string, name: string, value: unknown): Tensor {
  if (typeof value === 'number') {
    const scalar = Tensor.allocate([]);
    scalar.values[0] = value;
    return scalar;
  }
  return checkTensor(op, name, value);
}

/** Where each output element reads its operands (null: the operand has the output's shape). */
interface Plan {
  readonly left: Int32Array | null;
  readonly right: Int32Array | null;
}

function binary(op: string, rule: BinaryRule, a: Operand, b: Operand): Tensor {
  const left = operand(op, 'a', a);
  const right = operand(op, 'b', b);
  const shape = broadcastShapes(op, left.shape, right.shape);
  const plan: Plan = { left: operandIndices(left.shape, shape), right: operandIndices(right.shape, shape) };
  const output = Tensor.allocate(shape);
  const [out, leftValues, rightValues] = [output.values, left.values, right.values];
  for (let index = 0; index < out.length; index++) {
    const leftValue = leftValues[plan.left === null ? index : plan.left[index]!]!;
    const rightValue = rightValues[plan.right === null ? index : plan.right[index]!]!;
    out[index] = rule.forward(leftValue, rightValue);
  }
  recordGrad(op, output, [left, right], (gradOutput) => [
    left.requiresGrad ? operandGradient(gradOutput, left, right, plan, rule.gradLeft, true) : null,
    right.requiresGrad ? operandGradient(gradOutput, left, right, plan, rule.gradRight, false) : null,
  ]);
  return output;
}

/** One operand's gradient: the local gradient of every output element, summed into the cell it read. */
function operandGradient(
  gradOutput: Tensor,
  left: Tensor,
  right: Tensor,
  plan: Plan,
  local: BinaryRule['gradLeft'],
  forLeft: boolean,
): Tensor {
  const result = Tensor.allocate(forLeft ? left.shape : right.shape);
  // Views are taken after allocating: a growing heap may detach older ones.
  const [target, gradient, leftValues, rightValues] = [result.values, gradOutput.values, left.values, right.values];
  const into = forLeft ? plan.left : plan.right;
  if (into !== null) target.fill(0);
  for (let index = 0; index < gradient.length; index++) {
    const leftIndex = plan.left === null ? index : plan.left[index]!;
    const rightIndex = plan.right === null ? index : plan.right[index]!;
    const value = local(gradient[index]!, leftValues[leftIndex]!, rightValues[rightIndex]!);
    if (into === null) target[index] = value;
    else target[into[index]!]! += value;
  }
  return result;
}

/**
 * a + b, element-wise, broadcasting as NumPy; as tf.add.
 * @example add(x, y); add(x, tensor([1, 2, 3])); add(x, 1)
 */
export function add(a: Operand, b: Operand): Tensor {
  return binary('add', RULES.add, a, b);
}

/**
 * a − b, element-wise, broadcasting; as tf.sub (also exported as `sub`).
 * @example subtract(x, mean(x, { axis: -1, keepDims: true }))
 */
export function subtract(a: Operand, b: Operand): Tensor {
  return binary('subtract', RULES.subtract, a, b);
}

/**
 * a · b, element-wise, broadcasting; as tf.mul (also exported as `mul`).
 * @example multiply(x, 0.5)
 */
export function multiply(a: Operand, b: Operand): Tensor {
  return binary('multiply', RULES.multiply, a, b);
}

/**
 * a / b, element-wise, broadcasting; as tf.div (also exported as `div`). x / 0 is ±Infinity (NaN for 0 / 0).
 * @example divide(x, sum(x, { axis: -1, keepDims: true }))
 */
export function divide(a: Operand, b: Operand): Tensor {
  return binary('divide', RULES.divide, a, b);
}

/** TensorFlow.js's name for subtract. */
export const sub = subtract;
/** TensorFlow.js's name for multiply. */
export const mul = multiply;
/** TensorFlow.js's name for divide. */
export const div = divide;

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
