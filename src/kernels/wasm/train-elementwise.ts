// The WebAssembly elementwise training kernels (assembly/train/elementwise.ts): Adam and SGD updates
// in place, relu forward and backward, the sum of two arrays (the tape's gradient accumulation). Arrays are read and written in the shared heap; large ones
// are split among the threads in units of ELEMENT_UNIT elements.
import type { AdamStep, SgdStep, StepKernels, TrainKernels } from '../types.js';
import { ARGUMENT_BLOCKS, argumentViews, type KernelModule } from './loader.js';
import { heap } from '../../tensor/heap.js';
import { addressOf } from './pool-arguments.js';
import { parallelFor } from './threads.js';

/** Word numbers and the float64 area: must equal assembly/train/arguments.ts. */
const enum ElementWord {
  Count = 40,
  Array0 = 41,
  Flag = 45,
}
const REALS_BYTES = 256;
const ELEMENT_UNIT = 4096;

let reals: Float64Array | null = null;

/** The float64 parameters of the train block, renewed when the heap's buffer changes. */
function realViews(): Float64Array {
  if (reals === null || reals.buffer !== heap.memory.buffer) {
    reals = new Float64Array(heap.memory.buffer, ARGUMENT_BLOCKS.train.offset + REALS_BYTES, 4);
  }
  return reals;
}

/**
 * Writes the count, the arrays' addresses and the parameters, then runs `name` over the units.
 * `bytesPerElement` (read plus written) decides whether threads pay.
 */
function runElementwise(
  train: KernelModule,
  name: string,
  arrays: readonly Float32Array[],
  parameters: readonly number[],
  bytesPerElement: number,
  flag = 0,
): void {
  const count = arrays[0]!.length;
  if (count === 0) return;
  const words = argumentViews(train).ints;
  words[ElementWord.Count] = count;
  arrays.forEach((array, index) => (words[ElementWord.Array0 + index] = addressOf(array)));
  words[ElementWord.Flag] = flag;
  realViews().set(parameters);
  parallelFor(train, name, Math.ceil(count / ELEMENT_UNIT), bytesPerElement * count);
}

export function createElementwiseKernels(
  train: KernelModule,
): Pick<TrainKernels, 'adamUpdate' | 'sgdUpdate' | 'reluForward' | 'reluBackward'> & Pick<StepKernels, 'addForward'> {
  return {
    adamUpdate: (values, grad, firstMoment, secondMoment, step: AdamStep) =>
      runElementwise(
        train,
        'adamUpdate',
        [values, grad, firstMoment, secondMoment],
        [step.stepRate, step.firstBlend, step.secondBlend, step.epsilon],
        28,
      ),
    sgdUpdate: (values, grad, velocity, step: SgdStep) =>
      runElementwise(
        train,
        'sgdUpdate',
        [values, grad, velocity],
        [step.learningRate, step.momentum],
        20,
        step.nesterov ? 1 : 0,
      ),
    reluForward: (input, output) => runElementwise(train, 'reluForward', [input, output], [], 8),
    reluBackward: (output, gradOutput, gradInput) =>
      runElementwise(train, 'reluBackward', [output, gradOutput, gradInput], [], 12),
    // A tensor used twice (LIP's input: its logit convolution and its pooling) sums its two gradients here.
    addForward: (left, right, sum) => runElementwise(train, 'addForward', [left, right, sum], [], 12),
  };
}

/** Views of `length` floats at heap addresses, made now: an alloc may have detached a non-shared heap's older views. */
const heapView = (address: number, length: number): Float32Array =>
  new Float32Array(heap.memory.buffer, address, length);

/** relu in place over `length` floats at `address`: the packed conv path's unfused epilogue. */
export function reluInPlace(train: KernelModule, address: number, length: number): void {
  const values = heapView(address, length);
  runElementwise(train, 'reluForward', [values, values], [], 8);
}

/** Runs `use` on reluBackward(reluOutput, gradOutput) in heap scratch: a fused relu's backward on the packed path. */
export function withMaskedGradient(
  train: KernelModule,
  gradOutput: Float32Array,
  reluOutput: Float32Array,
  length: number,
  use: (masked: Float32Array) => void,
): void {
  const [gradAddress, outputAddress] = [addressOf(gradOutput), addressOf(reluOutput)];
  const maskedAddress = heap.alloc(4 * length);
  try {
    const masked = heapView(maskedAddress, length);
    runElementwise(
      train,
      'reluBackward',
      [heapView(outputAddress, length), heapView(gradAddress, length), masked],
      [],
      12,
    );
    use(masked);
  } finally {
    heap.free(maskedAddress, 4 * length);
  }
}
