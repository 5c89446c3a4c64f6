// The op of the window kinds that select one cell per window (min, median): the forward kernel writes
// the output and the chosen cell's flat spatial index, the backward sends the gradient to that cell
// with max pooling's backward kernel (zero, then scatter-add in output order: any in-window choice of
// cell, which the fast backends compute in gather form without a zeroing pass), and `returnIndices`
// hands the indices to the caller. Such a kind names its forward kernel once: selectingWindow gives
// its options, kernels, op and cell selection (KindDefinition.selectCells: every call selects).
import { kernel } from '../../kernels/backend.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { PoolGeometry } from '../../geometry/pool-geometry.js';
import { returnIndicesOption, windowGeometry, windowOptions } from '../common-options.js';
import { runSelection } from '../compute.js';
import { booleanOption, type CellSelection, type OpCall, type PoolWithIndices } from '../kind.js';
import type { OptionSchema } from '../options.js';

/** Forward kernels with the selection signature (input, output, chosen cells or null, geometry). */
type SelectionKernel = 'minPoolForward' | 'medianPoolForward';

export function selectionWindowOp(call: OpCall, forwardKernel: SelectionKernel): Tensor | PoolWithIndices {
  const geometry = windowGeometry(call);
  const returnIndices = booleanOption(call.op, 'returnIndices', call.options.returnIndices, false);
  return runSelection(call.op, call.input, geometry.outputShape, returnIndices, {
    forward: (input, output, chosen) => kernel(forwardKernel)(input, output, chosen, geometry),
    backward: (gradOutput, chosen, gradInput) => kernel('maxPoolBackward')(gradOutput, chosen, gradInput, geometry),
    scatters: false,
  });
}

/** The forward kernel as a cell selection: the output and every chosen cell. */
function selectionOf(call: OpCall, forwardKernel: SelectionKernel): CellSelection {
  const geometry = windowGeometry(call);
  const input = call.input;
  return {
    geometry,
    forward: (output, chosen) =>
      kernel(forwardKernel)(input.kernelValues, output.kernelValues, chosen.kernelIntValues, geometry),
  };
}

/** A selecting forward kernel: the output and, when asked, each window's chosen cell. */
type SelectionForward = (
  input: Float32Array,
  output: Float32Array,
  chosen: Int32Array | null,
  geometry: PoolGeometry,
) => void;

/** A selecting kind's options (the window's and returnIndices), its one reference kernel, and its op. */
export function selectingWindow<const Kernels extends Partial<Record<SelectionKernel, SelectionForward>>>(
  kernels: Kernels,
): {
  readonly options: OptionSchema;
  readonly kernels: Kernels;
  compute(call: OpCall): Tensor | PoolWithIndices;
  selectCells(call: OpCall): CellSelection;
} {
  const [forwardKernel] = Object.keys(kernels) as SelectionKernel[];
  return {
    options: [...windowOptions, returnIndicesOption],
    kernels,
    compute: (call) => selectionWindowOp(call, forwardKernel!),
    selectCells: (call) => selectionOf(call, forwardKernel!),
  };
}
