// A small reverse-mode tape: ops attach a GradNode to their output when an input requires a
// gradient; backward() walks the nodes in reverse topological order and fills leaf `.grad`s.
import { fail } from '../errors.js';
import { kernel } from '../kernels/backend.js';
import type { Tensor } from '../tensor/tensor.js';
import { Tensor as TensorClass } from '../tensor/tensor.js';

let recordingDepth = 0; // > 0 inside noGrad()

export function isRecording(): boolean {
  return recordingDepth === 0;
}

/** Runs fn without recording gradients (inference, optimizer updates, backward passes). */
export function noGrad<T>(fn: () => T): T {
  recordingDepth++;
  try {
    return fn();
  } finally {
    recordingDepth--;
  }
}

/** Marks a tensor as a leaf whose gradient backward() fills in (a parameter). */
export function requireGrad<T extends Tensor>(tensor: T): T {
  if (!(tensor instanceof TensorClass)) fail('requireGrad', 'tensor', 'must be a Tensor', typeof tensor);
  if (tensor.isDisposed) fail('requireGrad', 'tensor', 'must not be disposed', tensor.toString());
  tensor.requiresGrad = true;
  return tensor;
}

/**
 * Called by every differentiable op after its forward pass: if recording and any input needs a
 * gradient, `output` remembers how to send its gradient back to `inputs`. `saved` lists every other
 * tensor the backward reads (argmax indices, masks, statistics), so that tidy() keeps them alive
 * as long as `output` survives; a saved tensor not listed may be disposed before backward runs.
 */
export function recordGrad(
  name: string,
  output: Tensor,
  inputs: readonly Tensor[],
  backward: (gradOutput: Tensor) => readonly (Tensor | null)[],
  saved: readonly Tensor[] = [],
): void {
  if (!isRecording() || !inputs.some((input) => input.requiresGrad)) return;
  output.requiresGrad = true;
  output.gradNode = { name, inputs, saved, backward };
}

/**
 * Back-propagates from `root` (a scalar loss, or any tensor with `gradOutput` given): every leaf
 * that requires a gradient gets `.grad` (added to what it had). Throws, before any `.grad` changes,
 * when a tensor of the graph was disposed: the root, an op's input or saved tensor, a leaf's `.grad`.
 */
export function backward(root: Tensor, gradOutput?: Tensor): void {
  checkLive('root', root);
  if (gradOutput !== undefined) checkLive('gradOutput', gradOutput);
  if (!root.requiresGrad)
    throw new Error('backward: the tensor does not depend on any tensor that requires a gradient');
  if (gradOutput === undefined && root.size !== 1) {
    throw new Error(`backward: root has shape [${root.shape.join(', ')}]; pass gradOutput for a non-scalar root`);
  }
  if (gradOutput !== undefined && gradOutput.shape.join() !== root.shape.join()) {
    throw new Error(
      `backward: gradOutput shape [${gradOutput.shape.join(', ')}] must equal root shape [${root.shape.join(', ')}]`,
    );
  }
  const order = topologicalOrder(root);
  checkGraphLive(order);
  const grads = new Map<Tensor, Tensor>();
  grads.set(root, gradOutput ?? onesLike(root));
  noGrad(() => {
    for (const node of order) {
      const grad = grads.get(node);
      if (grad === undefined) continue;
      grads.delete(node);
      if (node.gradNode === null) {
        node.grad = node.grad === null ? grad : accumulate(node.grad, grad);
        continue;
      }
      const inputGrads = node.gradNode.backward(grad);
      const handedOut = new Set<Tensor>();
      node.gradNode.inputs.forEach((input, index) => {
        let inputGrad = inputGrads[index];
        if (!input.requiresGrad || inputGrad === null || inputGrad === undefined) return;
        // One tensor given to two inputs (x + x) must not be accumulated into itself.
        if (handedOut.has(inputGrad)) inputGrad = inputGrad.clone();
        handedOut.add(inputGrad);
        const existing = grads.get(input);
        grads.set(input, existing === undefined ? inputGrad : accumulate(existing, inputGrad));
      });
      if (!handedOut.has(grad) && grad !== gradOutput) grad.dispose();
    }
  });
}

const DISPOSED_BY = 'by dispose(), or by a tidy() whose function did not return it';

function checkLive(argument: string, tensor: Tensor): void {
  if (!(tensor instanceof TensorClass)) fail('backward', argument, 'must be a Tensor', typeof tensor);
  if (tensor.isDisposed) fail('backward', argument, `must not be disposed (${DISPOSED_BY})`, tensor.toString());
}

/** Throws unless every tensor the pass reads or adds to is live (an intermediate's dispose() also cut its graph). */
function checkGraphLive(order: readonly Tensor[]): void {
  for (const tensor of order) {
    if (tensor.gradNode !== null) {
      checkNodeLive(tensor.gradNode.name, 'input', tensor.gradNode.inputs);
      checkNodeLive(tensor.gradNode.name, 'saved tensor', tensor.gradNode.saved);
    } else if (tensor.grad?.isDisposed) {
      const rule =
        'must not be disposed, since backward adds to it (a tidy() around an earlier backward() disposes ' +
        'the gradients it made); set .grad = null to start from zero';
      fail('backward', `the .grad of leaf ${tensor.toString()}`, rule, tensor.grad.toString());
    }
  }
}

function checkNodeLive(op: string, role: string, tensors: readonly Tensor[]): void {
  tensors.forEach((tensor, index) => {
    if (!tensor.isDisposed) return;
    const rule = `must not depend on a disposed tensor: ${role} ${index} of '${op}' was disposed before backward (${DISPOSED_BY})`;
    fail('backward', 'root', rule, tensor.toString());
  });
}

/** Tensors reachable from root, each after every tensor that depends on it. */
function topologicalOrder(root: Tensor): Tensor[] {
  const visited = new Set<Tensor>();
  const postOrder: Tensor[] = [];
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [tensor, next] = top;
    const inputs = tensor.gradNode?.inputs ?? [];
    if (next < inputs.length) {
      top[1]++;
      const input = inputs[next]!;
      if (input.requiresGrad && !visited.has(input)) {
        visited.add(input);
        stack.push([input, 0]);
      }
    } else {
      stack.pop();
      postOrder.push(tensor);
    }
  }
  return postOrder.reverse();
}

function onesLike(tensor: Tensor): Tensor {
  const ones = TensorClass.allocate(tensor.shape);
  ones.values.fill(1);
  return ones;
}

/** Sum of two gradients in a fresh tensor (beside them on the GPU); the addends are disposed when the tape owns them. */
function accumulate(existing: Tensor, addition: Tensor): Tensor {
  const sum = TensorClass.allocate(existing.shape, 'float32', [existing, addition]);
  kernel('addForward')(existing.kernelValues, addition.kernelValues, sum.kernelValues);
  existing.dispose();
  addition.dispose();
  return sum;
}
