// The one op template every pooling kind runs through once its options are checked and its
// geometry known: allocate the output (and what the backward will read), run the forward kernel,
// and record the backward step beside it. Kinds differ only in the kernels they call.
import { recordGrad } from '../autograd/tape.js';
import { Tensor, type DType, type Shape } from '../tensor/tensor.js';

/** A tensor the forward writes for the backward (argmax, chosen cells). */
export interface SavedSpec {
  readonly shape: Shape;
  readonly dtype: DType;
}

export interface ForwardStep {
  /** The tensors gradients flow to: the pooled input first, then weights. */
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  /** Allocated from `PoolSteps.saved`, in its order. */
  readonly saved: readonly Tensor[];
}

/** `saved` holds the allocated tensors, then those the forward returned. */
export interface BackwardStep extends ForwardStep {
  readonly gradOutput: Tensor;
  /** One per input, shaped like it; zero-filled when the steps ask for it, else for the kernel to write whole. */
  readonly gradInputs: readonly Tensor[];
}

/** What a kind does besides naming its op, inputs and output shape (runPoolSteps' first arguments). */
export interface PoolSteps {
  readonly saved?: readonly SavedSpec[];
  /** Tensors of the caller's that the backward reads (a max pool's indices): kept alive with the graph, never disposed. */
  readonly retained?: readonly Tensor[];
  /** The caller returns the saved tensors (indices): never dispose them here. */
  readonly keepSaved?: boolean;
  /** The backward kernels add into their gradients (scatters), so these start at zero: all, or per input. */
  readonly zeroGradients?: boolean | readonly boolean[];
  /**
   * The steps hand kernels of the table `kernelValues` (which bind resident tensors in place): the
   * output, saved tensors and gradients then go beside resident inputs (on the GPU, zero-filled).
   */
  readonly bindsResident?: boolean;
  /** Writes `output` and the saved tensors; may return more tensors the backward reads (it then owns them). */
  forward(step: ForwardStep): readonly Tensor[] | void;
  /** Writes every gradInput (or adds into zeros); null: the op passes no gradient. */
  readonly backward: ((step: BackwardStep) => void) | null;
}

/**
 * Runs the forward of op `op` (its public name, which the tape records) and records the backward;
 * `inputs` are the tensors gradients flow to. Returns the output and the saved tensors.
 */
export function runPoolSteps(
  op: string,
  inputs: readonly Tensor[],
  outputShape: Shape,
  steps: PoolSteps,
): { output: Tensor; saved: readonly Tensor[] } {
  const beside = steps.bindsResident === true ? inputs : undefined;
  const output = Tensor.allocate(outputShape, 'float32', beside);
  const allocated = (steps.saved ?? []).map((spec) => Tensor.allocate(spec.shape, spec.dtype, beside));
  const extra = steps.forward({ inputs, output, saved: allocated }) ?? [];
  const saved = [...allocated, ...extra];
  const backward = steps.backward;
  if (backward !== null) {
    recordGrad(
      op,
      output,
      inputs,
      (gradOutput) => {
        const near = steps.bindsResident === true ? [gradOutput, ...inputs] : undefined;
        const zero = steps.zeroGradients;
        const zeroed = (index: number) => (typeof zero === 'boolean' ? zero : zero?.[index] === true);
        const gradInputs = inputs.map((input, index) => gradientBuffer(input.shape, zeroed(index), near));
        backward({ inputs, output, saved, gradOutput, gradInputs });
        return gradInputs;
      },
      [...saved, ...(steps.retained ?? [])],
    );
  }
  if (!output.requiresGrad) {
    const owned = steps.keepSaved ? extra : saved;
    for (const tensor of owned) tensor.dispose();
  }
  return { output, saved: allocated };
}

/** The spec of an int32 tensor shaped like the output: argmax indices, chosen cells. */
export function indicesLike(shape: Shape): SavedSpec {
  return { shape, dtype: 'int32' };
}

/** A gradient's tensor; zeroed when asked (a GPU buffer starts zero-filled). */
function gradientBuffer(shape: Shape, zeroed: boolean, beside?: readonly Tensor[]): Tensor {
  const gradient = Tensor.allocate(shape, 'float32', beside);
  if (zeroed && gradient.home === 'heap') gradient.values.fill(0);
  return gradient;
}

/** The kernels of a kind that selects one cell per window (max, min, fractional max): forward with
 * the chosen cells' indices (null when nothing needs them), and the backward that routes to them. */
export interface SelectionKernels {
  forward(input: Float32Array, output: Float32Array, indices: Int32Array | null): void;
  backward(gradOutput: Float32Array, indices: Int32Array, gradInput: Float32Array): void;
  /** The backward adds into zeros (a scatter) rather than writing every cell itself. */
  readonly scatters: boolean;
  /** The forward always writes indices (its regions are chosen as it goes). */
  readonly alwaysIndices?: boolean;
  /** false: forward or backward is not a kernel of the table (default: they get kernelValues, PoolSteps.bindsResident). */
  readonly bindsResident?: boolean;
}

/**
 * A selecting op: the output, and the indices too when `returnIndices` is true (PyTorch's
 * return_indices); the indices are kept for the backward only when a gradient is recorded.
 */
export function runSelection(
  op: string,
  input: Tensor,
  outputShape: Shape,
  returnIndices: boolean,
  kernels: SelectionKernels,
): Tensor | { output: Tensor; indices: Tensor } {
  const needIndices = returnIndices || input.requiresGrad || kernels.alwaysIndices === true;
  const bindsResident = kernels.bindsResident !== false;
  const { output, saved } = runPoolSteps(op, [input], outputShape, {
    saved: needIndices ? [indicesLike(outputShape)] : [],
    keepSaved: returnIndices,
    zeroGradients: kernels.scatters,
    bindsResident,
    forward: ({ output, saved: [indices] }) => {
      const [values, ints] = arrayGetters(bindsResident);
      kernels.forward(values(input), values(output), indices === undefined ? null : ints(indices));
    },
    backward: ({ gradOutput, saved: [indices], gradInputs: [gradInput] }) => {
      const [values, ints] = arrayGetters(bindsResident);
      kernels.backward(values(gradOutput), ints(indices!), values(gradInput!));
    },
  });
  return returnIndices ? { output, indices: saved[0]! } : output;
}

/** How steps read tensors: kernelValues for kernels of the table that bind resident tensors, else values. */
export function arrayGetters(
  bindsResident: boolean,
): [(tensor: Tensor) => Float32Array, (tensor: Tensor) => Int32Array] {
  return bindsResident
    ? [(tensor) => tensor.kernelValues, (tensor) => tensor.kernelIntValues]
    : [(tensor) => tensor.values, (tensor) => tensor.intValues];
}
