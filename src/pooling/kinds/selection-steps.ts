// The op of the window kinds that select one cell per window (min, median): the forward kernel writes
// the output and the chosen cell's flat spatial index, the backward scatters the gradient to that
// cell (argmaxScatterAdd, as max pooling's), and `returnIndices` hands the indices to the caller.
import { kernel } from '../../kernels/backend.js';
import type { Tensor } from '../../tensor/tensor.js';
import { poolingPlanes } from '../argmax-planes.js';
import { windowGeometry } from '../common-options.js';
import { indicesLike, runPoolSteps } from '../compute.js';
import { booleanOption, type OpCall, type PoolWithIndices } from '../kind.js';

/** Forward kernels with the selection signature (input, output, chosen cells or null, geometry). */
type SelectionKernel = 'minPoolForward' | 'medianPoolForward';

export function selectionWindowOp(call: OpCall, forwardKernel: SelectionKernel): Tensor | PoolWithIndices {
  const { op, input, options } = call;
  const geometry = windowGeometry(call);
  const wantIndices = booleanOption(op, 'returnIndices', options.returnIndices, false);
  const { output, saved } = runPoolSteps(op, [input], geometry.outputShape, {
    saved: wantIndices || input.requiresGrad ? [indicesLike(geometry.outputShape)] : [],
    keepSaved: wantIndices,
    zeroGradients: true,
    forward: ({ output, saved: [chosen] }) =>
      kernel(forwardKernel)(input.values, output.values, chosen?.intValues ?? null, geometry),
    backward: ({ gradOutput, saved: [chosen], gradInputs: [gradInput] }) =>
      kernel('argmaxScatterAdd')(gradOutput.values, chosen!.intValues, gradInput!.values, poolingPlanes(geometry)),
  });
  return wantIndices ? { output, indices: saved[0]! } : output;
}
