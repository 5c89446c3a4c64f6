// relu, sigmoid, tanh, softmax and logSoftmax. Each saves its output, from which its backward
// pass follows without the input: relu' = [y > 0], sigmoid' = y(1 - y), tanh' = 1 - y².
// NaN propagates through every one of them, as in TensorFlow.
import { recordGrad } from '../../autograd/tape.js';
import { fail } from '../../errors.js';
import { kernel } from '../../kernels/backend.js';
import { softmaxGradRow, softmaxRows } from '../../kernels/reference/softmax-loss.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkTensor, describeShape } from '../checks.js';

/** max(x, 0); the gradient at exactly 0 is 0, as in TensorFlow. NaN and −0 pass through. */
export function relu(input: Tensor): Tensor {
  checkTensor('relu', 'input', input);
  const output = Tensor.allocate(input.shape, 'float32', [input]);
  kernel('reluForward')(input.kernelValues, output.kernelValues);
  recordGrad('relu', output, [input], (gradOutput) => {
    const gradInput = Tensor.allocate(input.shape, 'float32', [output, gradOutput]);
    kernel('reluBackward')(output.kernelValues, gradOutput.kernelValues, gradInput.kernelValues);
    return [gradInput];
  });
  return output;
}

/** 1 / (1 + e^-x). */
export function sigmoid(input: Tensor): Tensor {
  return unaryByKernels('sigmoid', input, 'sigmoidForward', 'sigmoidBackward');
}

/** The hyperbolic tangent. */
export function tanh(input: Tensor): Tensor {
  return unaryByKernels('tanh', input, 'tanhForward', 'tanhBackward');
}

/** An elementwise op by its kernels, whose backward reads the saved output (beside a resident input on the GPU). */
function unaryByKernels(
  op: string,
  input: Tensor,
  forward: 'sigmoidForward' | 'tanhForward',
  backward: 'sigmoidBackward' | 'tanhBackward',
): Tensor {
  checkTensor(op, 'input', input);
  const output = Tensor.allocate(input.shape, 'float32', [input]);
  kernel(forward)(input.kernelValues, output.kernelValues);
  recordGrad(op, output, [input], (gradOutput) => {
    const gradInput = Tensor.allocate(input.shape, 'float32', [output, gradOutput]);
    kernel(backward)(output.kernelValues, gradOutput.kernelValues, gradInput.kernelValues);
    return [gradInput];
  });
  return output;
}

function lastAxis(op: string, input: Tensor): { rows: number; width: number } {
  checkTensor(op, 'input', input);
  if (input.rank < 1)
    fail(op, 'input', 'must have rank at least 1 (it works along the last axis)', describeShape(input));
  const width = input.shape[input.rank - 1]!;
  return { rows: width === 0 ? 0 : input.size / width, width };
}

/** e^x / Σ e^x along the last axis. */
export function softmax(input: Tensor): Tensor {
  return softmaxAlongLastAxis('softmax', input);
}

/** x − log Σ e^x along the last axis, computed without overflow. */
export function logSoftmax(input: Tensor): Tensor {
  return softmaxAlongLastAxis('logSoftmax', input);
}

function softmaxAlongLastAxis(op: 'softmax' | 'logSoftmax', input: Tensor): Tensor {
  const log = op === 'logSoftmax';
  const { rows, width } = lastAxis(op, input);
  // softmax through its kernel (on the GPU beside a resident input); logSoftmax on the CPU.
  const output = Tensor.allocate(input.shape, 'float32', log ? undefined : [input]);
  if (log) softmaxRows(input.values, output.values, rows, width, log);
  else kernel('softmaxForward')(input.kernelValues, output.kernelValues, { rows, classes: width });
  recordGrad(op, output, [input], (gradOutput) => {
    if (!log) {
      const gradInput = Tensor.allocate(input.shape, 'float32', [output, gradOutput]);
      const shape = { rows, classes: width };
      kernel('softmaxBackward')(output.kernelValues, gradOutput.kernelValues, gradInput.kernelValues, shape);
      return [gradInput];
    }
    const gradInput = Tensor.allocate(input.shape);
    for (let start = 0; start < rows * width; start += width)
      softmaxGradRow(gradOutput.values, output.values, gradInput.values, start, start + width, log);
    return [gradInput];
  });
  return output;
}
