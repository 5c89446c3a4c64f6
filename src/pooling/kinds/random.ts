// Random pooling, as seed article 000 describes it: one value of each window chosen uniformly at
// random in training; its expectation, the in-bounds average, at inference. One uniform draw per
// output element i, counter-based (u_i = drawUniform(key, i), src/tensor/counter-draws.ts, the key
// two words from `seed`'s or `random`'s generator); cell ⌊u_i·n⌋ of the window's n in-bounds cells.
// The gradient goes to the chosen cell (training) or spreads evenly over the in-bounds cells (inference).
import type { PoolOptions } from '../../geometry/pool-geometry.js';
import { kernel } from '../../kernels/backend.js';
import {
  inBoundsAverageBackward,
  inBoundsAverageForward,
  randomPoolForward,
} from '../../kernels/reference/extra/random-pool.js';
import type { Tensor } from '../../tensor/tensor.js';
import { randomOptions, windowGeometry, windowOptions } from '../common-options.js';
import { linearSteps } from '../kernel-steps.js';
import { drawnSelection, drawOrExpect, drawsInCall, type RandomPoolOptions } from '../arguments.js';
import { rankedOps, type OpCall } from '../kind.js';
import { slidingWindowKind } from '../kind-presets.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { spatial } from '../../formats/onnx/pool-nodes.js';
import { averagePoolNode, exportWindow } from '../../formats/onnx/pool-window.js';

export interface RandomPoolOptions2d extends PoolOptions, RandomPoolOptions {}

/** The training draw, a kernel of every backend's table. */
const DRAW = { forward: 'randomPoolForward', bindsResident: true } as const;

function computeRandomPool(call: OpCall): Tensor {
  const geometry = windowGeometry(call);
  const inference = linearSteps(geometry, 'inBoundsAverageForward', 'inBoundsAverageBackward');
  return drawOrExpect(call, geometry, inference, {
    ...DRAW,
    // Max pooling's backward: each window's gradient to its chosen cell, every cell written (see selection-steps.ts).
    backward: ({ saved: [chosen], gradOutput, gradInputs: [gradInput] }) =>
      kernel('maxPoolBackward')(gradOutput.kernelValues, chosen!.kernelIntValues, gradInput!.kernelValues, geometry),
    zeroGradients: false,
  });
}

/** At inference the expectation: the in-bounds mean, AveragePool without counting padding. */
function exportRandomPool(call: OnnxExportCall) {
  const { geometry, axes } = exportWindow(call);
  return spatial(averagePoolNode(call, call.input, axes, call.options.ceilMode === true, false, geometry.channels));
}

export const randomKind = slidingWindowKind({
  names: ['random'],
  op: 'randomPool{rank}d',
  options: [...windowOptions, ...randomOptions],
  docs: {
    label: 'Random pooling',
    summary: 'Training: one cell of each window chosen uniformly at random; inference: the average.',
    formula: 'training: y = x_k, k uniform over the in-bounds cells; inference: y = mean',
    gradient: 'Training: all of it to the chosen cell; inference: gradOutput / n to each in-bounds cell.',
    source: 'Seed article 000 (random pooling)',
  },
  kernels: { randomPoolForward, inBoundsAverageForward, inBoundsAverageBackward },
  compute: computeRandomPool,
  // Training picks one cell per window whatever the values, and its gradient goes to that cell alone.
  selectCells: (call) => (drawsInCall(call) ? drawnSelection(call, windowGeometry(call), DRAW) : null),
  onnx: { export: exportRandomPool },
});

/**
 * Random pooling.
 * @example randomPool2d(x, { kernelSize: 2, training: true, seed: 1 })
 * @example randomPool2d(x, { kernelSize: 2 }) // inference: the average
 */
export type RandomPoolOp = (input: Tensor, options: RandomPoolOptions2d) => Tensor;

export const [randomPool1d, randomPool2d, randomPool3d] = rankedOps(randomKind).as<RandomPoolOp>();
