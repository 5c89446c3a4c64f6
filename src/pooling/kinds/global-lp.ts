// Global Lp pooling: the Lp norm (Σ |x|^p)^(1/p) of every (batch, channel) plane, as ONNX
// GlobalLpPool: for real p >= 1 (default 2); gradient |x|^(p-1)·sign(x) / out^(p-1), and 0 where
// out = 0. The kernels are Lp pooling's with the whole input as its one window; shapes and
// keepDims as global max pooling (global-max.ts).
import { spatialSizes } from '../../geometry/layout.js';
import { poolGeometry } from '../../geometry/pool-geometry.js';
import type { Tensor } from '../../tensor/tensor.js';
import { globalOptions } from '../common-options.js';
import { runPoolSteps } from '../compute.js';
import { type OpCall } from '../kind.js';
import { standardKind } from '../kind-presets.js';
import { globalRank, globalSetUp, type GlobalPoolOptions } from '../global-steps.js';
import { powerOf } from '../arguments.js';
import { lpSteps } from './lp.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { globalResult, scalar } from '../../formats/onnx/pool-nodes.js';
import { globalImport, powerImport } from '../../formats/onnx/pool-import.js';

export interface GlobalLpPoolOptions extends GlobalPoolOptions {
  /** The norm's exponent, a real number >= 1 (default 2, as ONNX GlobalLpPool). */
  p?: number;
}

function computeGlobalLp({ op, input, options }: OpCall): Tensor {
  const { spatialDims, dataFormat, outputShape } = globalSetUp(op, input.shape, options);
  const p = powerOf(op, { p: options.p ?? 2 });
  // One window as large as the input: the Lp pool kernel's output is then one cell per plane.
  const kernelSize = spatialSizes(input.shape, spatialDims, dataFormat);
  const geometry = poolGeometry(op, input.shape, spatialDims, { kernelSize, dataFormat });
  return runPoolSteps(op, [input], outputShape, lpSteps(geometry, p)).output;
}

/** ONNX GlobalLpPool for a whole p (an int attribute); any other p as (Σ |x|^p)^(1/p) with ReduceSum. */
function exportGlobalLp(call: OnnxExportCall) {
  const p = powerOf(call.owner, { p: call.options.p ?? 2 });
  const { graph, owner } = call;
  if (Number.isInteger(p)) return globalResult(call, graph.apply('GlobalLpPool', [call.input], { p }, owner));
  const powered = graph.apply('Pow', [graph.apply('Abs', [call.input], {}, owner), scalar(call, 'p', p)], {}, owner);
  const axes = graph.int64s(
    `${owner}/axes`,
    Array.from({ length: call.rank }, (_, axis) => axis + 2),
  );
  const sum = graph.apply('ReduceSum', [powered, axes], { keepdims: 1 }, owner);
  return globalResult(call, graph.apply('Pow', [sum, scalar(call, 'root', 1 / p)], {}, owner));
}

export const globalLpKind = standardKind({
  names: ['globalLp', 'globalL2'],
  layoutFree: true,
  window: 'global',
  op: 'globalLpPool',
  options: [
    ...globalOptions,
    {
      name: 'p',
      default: 2,
      inConfig: 'always',
      doc: 'The norm’s exponent, a finite number of at least 1 (default 2).',
      field: { type: 'number', min: 1, step: 0.5, demo: 2 },
    },
  ],
  docs: {
    label: 'Global Lp pooling',
    summary: 'One window covering the whole input: the p-norm of each channel.',
    formula: 'y[b, c] = (Σ over every spatial cell of |x|^p)^(1/p)',
    gradient: 'gradOutput · |x|^(p−1)·sign(x) / y^(p−1); 0 where y = 0.',
    source: 'ONNX GlobalLpPool',
  },
  kernels: {},
  outputShape: (op, shape, options) => {
    powerOf(op, { p: options.p ?? 2 });
    return globalSetUp(op, shape, options).outputShape;
  },
  compute: computeGlobalLp,
  onnx: {
    export: exportGlobalLp,
    import: { ops: ['GlobalLpPool'], config: (node) => globalImport(node, { p: powerImport(node) }) },
  },
});

/**
 * The Lp norm (Σ |x|^p)^(1/p) of every (batch, channel) plane, as ONNX GlobalLpPool.
 * @example globalLpPool(x, { p: 2 }) // [2, 7, 7, 64] → [2, 64]
 */
export function globalLpPool(input: Tensor, options?: GlobalLpPoolOptions): Tensor {
  return globalLpKind.apply(input, [], options, globalRank(input));
}
