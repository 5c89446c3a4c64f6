// The steps of an op that is one linear map of its input (a blur, a wavelet or spectral transform,
// an average): the forward kernel applies the map to x, the backward kernel its transpose to
// gradOutput, both given only the geometry. Such a kind names its two kernels and its geometry.
// (Kind files call these from functions whose return type they state: the kernel table's type is
// derived from the kinds, so a kind's own type must not wait on it.)
import { kernel } from '../kernels/backend.js';
import type { KernelName, Kernels } from '../kernels/types.js';
import type { Shape, Tensor } from '../tensor/tensor.js';
import { runPoolSteps, type PoolSteps } from './compute.js';

type LinearKernel<Geometry> = (input: Float32Array, output: Float32Array, geometry: Geometry) => void;

/** The kernels of the table that map (source, target, geometry): forward x → y, backward gradOutput → gradInput. */
export type LinearKernelName<Geometry> = {
  [Name in KernelName]: Kernels[Name] extends LinearKernel<Geometry> ? Name : never;
}[KernelName];

/** Forward: `forward`(x, output, geometry); backward: `backward`(gradOutput, gradInput, geometry). */
export function linearSteps<Geometry>(
  geometry: Geometry,
  forward: LinearKernelName<Geometry>,
  backward: LinearKernelName<Geometry>,
): PoolSteps {
  const run = (name: LinearKernelName<Geometry>, source: Tensor, target: Tensor) =>
    (kernel(name) as LinearKernel<Geometry>)(source.values, target.values, geometry);
  return {
    forward: ({ inputs: [x], output }) => run(forward, x!, output),
    backward: ({ gradOutput, gradInputs: [gradInput] }) => run(backward, gradOutput, gradInput!),
  };
}

/** Runs op `op` (its public name) as one linear map of `input`; returns the output. */
export function runLinearOp<Geometry extends { readonly outputShape: Shape }>(
  op: string,
  input: Tensor,
  geometry: Geometry,
  forward: LinearKernelName<Geometry>,
  backward: LinearKernelName<Geometry>,
): Tensor {
  return runPoolSteps(op, [input], geometry.outputShape, linearSteps(geometry, forward, backward)).output;
}
