// The steps of ops whose kernels take only the tensors and the geometry: one linear map of the input
// (a blur, a wavelet or spectral transform, an average), whose backward kernel applies the transpose
// to gradOutput, and a smooth function of each window (SoftPool, stochastic pooling's expectation),
// whose backward kernel reads x again. Such a kind names its two kernels and its geometry.
// (Kind files call these from functions whose return type they state: the kernel table's type is
// derived from the kinds, so a kind's own type must not wait on it.)
import type { SpatialDims } from '../geometry/layout.js';
import { kernel } from '../kernels/backend.js';
import type { KernelName, Kernels } from '../kernels/types.js';
import type { Shape, Tensor } from '../tensor/tensor.js';
import { runPoolSteps, type PoolSteps } from './compute.js';
import type { KindDefinition, OpCall, OpOptions } from './kind.js';

type LinearKernel<Geometry> = (input: Float32Array, output: Float32Array, geometry: Geometry) => void;

/** The names of the kernel table's entries of this signature. */
type KernelNamed<Signature> = { [Name in KernelName]: Kernels[Name] extends Signature ? Name : never }[KernelName];

/** The kernels that map (source, target, geometry): forward x → y, backward gradOutput → gradInput. */
export type LinearKernelName<Geometry> = KernelNamed<LinearKernel<Geometry>>;

/** Forward: `forward`(x, output, geometry); backward: `backward`(gradOutput, gradInput, geometry). */
export function linearSteps<Geometry>(
  geometry: Geometry,
  forward: LinearKernelName<Geometry>,
  backward: LinearKernelName<Geometry>,
): PoolSteps {
  const run = (name: LinearKernelName<Geometry>, source: Tensor, target: Tensor) =>
    (kernel(name) as LinearKernel<Geometry>)(source.kernelValues, target.kernelValues, geometry);
  return {
    bindsResident: true,
    forward: ({ inputs: [x], output }) => run(forward, x!, output),
    backward: ({ gradOutput, gradInputs: [gradInput] }) => run(backward, gradOutput, gradInput!),
  };
}

type SmoothBackward<Geometry> = (
  input: Float32Array,
  gradOutput: Float32Array,
  gradInput: Float32Array,
  geometry: Geometry,
) => void;

/** The backward kernels that map (x, gradOutput, gradInput, geometry). */
export type SmoothBackwardName<Geometry> = KernelNamed<SmoothBackward<Geometry>>;

/** Forward: `forward`(x, output, geometry); backward: `backward`(x, gradOutput, gradInput, geometry), into zeros. */
export function smoothSteps<Geometry>(
  geometry: Geometry,
  forward: LinearKernelName<Geometry>,
  backward: SmoothBackwardName<Geometry>,
): PoolSteps {
  return {
    zeroGradients: true,
    bindsResident: true,
    forward: ({ inputs: [x], output }) =>
      (kernel(forward) as LinearKernel<Geometry>)(x!.kernelValues, output.kernelValues, geometry),
    backward: ({ inputs: [x], gradOutput, gradInputs: [gradInput] }) =>
      (kernel(backward) as SmoothBackward<Geometry>)(
        x!.kernelValues,
        gradOutput.kernelValues,
        gradInput!.kernelValues,
        geometry,
      ),
  };
}

/** A kind's geometry from what its outputShape is given (the op's name, the input shape, options, rank). */
export type GeometryOf<Geometry extends { readonly outputShape: Shape }> = (
  op: string,
  shape: Shape,
  options: OpOptions,
  rank: SpatialDims,
) => Geometry;

/** A kind's outputShape: its geometry's. */
export function outputShapeOf(geometryOf: GeometryOf<{ readonly outputShape: Shape }>): KindDefinition['outputShape'] {
  return (op, shape, options, rank) => geometryOf(op, shape, options, rank).outputShape;
}

/** Runs a call's op as one linear map of its input, the geometry from `geometryOf`; returns the output. */
export function runLinearOp<Geometry extends { readonly outputShape: Shape }>(
  { op, input, options, rank }: OpCall,
  geometryOf: GeometryOf<Geometry>,
  forward: LinearKernelName<Geometry>,
  backward: LinearKernelName<Geometry>,
): Tensor {
  const geometry = geometryOf(op, input.shape, options, rank);
  return runPoolSteps(op, [input], geometry.outputShape, linearSteps(geometry, forward, backward)).output;
}
