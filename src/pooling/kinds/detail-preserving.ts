// Detail-preserving pooling, DPP (Saeedan, Weber, Goesele & Roth, "Detail-Preserving Pooling in Deep
// Networks", CVPR 2018), the paper's Lite-DPP: y = Σ wᵢxᵢ / Σ wᵢ over the window, with
// wᵢ = α + ρ_λ(xᵢ − x̃): cells that differ from their neighbourhood weigh more (an inverse bilateral
// filter), α and λ learnable per channel.
//
// The variant implemented, from the paper's equations and the authors' code:
// - x̃ is the window's mean (Lite-DPP: a box filter over the pooling window; Full-DPP's learned
//   3x3 filter is not implemented);
// - ρ_λ(d) = (√(d² + ε²))^λ (symmetric, the default) or (√(max(0, d)² + ε²))^λ (asymmetric: only
//   cells above the mean are rewarded), with ε² = 10⁻³ as the authors' code adds it;
// - α and λ are used as given (the paper's quantities; the authors' code learns log α and log λ).
//   With α ≥ 0 every weight is positive (ρ ≥ ε^λ > 0) and y lies between the window's min and max;
//   a negative α may make Σw = 0, and y is then what the quotient gives (±Infinity or NaN);
// - the authors' code also divides d² + ε² by its window mean before the power; the paper does not,
//   and neither does poolkit.
// Semantics, on every backend: output size, SAME split and ceil mode by poolGeometry; sums, x̃ and
// the count over in-bounds cells only; a window holding NaN or ±Infinity outputs NaN (x̃ is not
// finite); a window whose output is not finite passes no gradient; a window with no in-bounds cell
// (dilation) outputs 0. Gradients: see dppPoolBackward (x̃ moves with every cell of the window).
import type { PoolOptions } from '../../geometry/pool-geometry.js';
import { fail } from '../../errors.js';
import { kernel } from '../../kernels/backend.js';
import { DPP_EPSILON_SQUARED, dppPoolBackward, dppPoolForward } from '../../kernels/reference/extra/dpp-pool.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { channelConstant, scalar, spatial } from '../../formats/onnx/pool-nodes.js';
import { exportWindow } from '../../formats/onnx/pool-window.js';
import { cellMean, pooledOutput, weightedMean, windowCells } from '../../formats/onnx/window-cells.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkParameterShape } from '../arguments.js';
import { windowGeometry, windowOptions, windowOutputShape } from '../common-options.js';
import { runPoolSteps } from '../compute.js';
import { clearKept, KEPT_PLANES, keptSpec } from './forward-keep.js';
import { definePoolingKind, rankedOps, type OpCall } from '../kind.js';
import {
  checkParameterValues,
  joinWeights,
  scalarWeightOptions,
  scalarWeights,
  type ScalarWeightSpec,
} from './learnable-parameters.js';

export interface DppPoolOptions extends PoolOptions {
  /** 'symmetric' (default): ρ rewards any difference from x̃; 'asymmetric': only cells above x̃. */
  reward?: 'symmetric' | 'asymmetric';
}

const alphaSpec: ScalarWeightSpec = { weight: 'alpha', initial: 'alphaInitial', fallback: 1 };
const lambdaSpec: ScalarWeightSpec = { weight: 'lambda', initial: 'lambdaInitial', fallback: 1 };

function isAsymmetric(op: string, reward: unknown): boolean {
  if (reward === undefined || reward === 'symmetric') return false;
  if (reward !== 'asymmetric') fail(op, 'reward', "must be 'symmetric' or 'asymmetric'", reward);
  return true;
}

function computeDppPool(call: OpCall): Tensor {
  const { op, input, tensors } = call;
  const geometry = windowGeometry(call);
  const asymmetric = isAsymmetric(op, call.options.reward);
  for (const [index, name] of ['alpha', 'lambda'].entries()) {
    checkParameterShape(op, name, tensors[index], [[1], [geometry.channels]]);
    checkParameterValues(op, name, tensors[index]!);
  }
  const [alpha, lambda] = [tensors[0]!, tensors[1]!];
  const training = [input, alpha, lambda].some((tensor) => tensor.requiresGrad);
  return runPoolSteps(op, [input, alpha, lambda], geometry.outputShape, {
    zeroGradients: true,
    saved: training ? [keptSpec(geometry, KEPT_PLANES.dpp)] : [],
    forward: ({ output, saved: [kept] }) => {
      if (kept !== undefined) clearKept(kept.values);
      const tensors = [input.values, alpha.values, lambda.values, output.values] as const;
      kernel('dppPoolForward')(...tensors, geometry, asymmetric, kept?.values);
    },
    backward: ({ gradOutput, gradInputs: [gradInput, gradAlpha, gradLambda], saved: [kept] }) =>
      kernel('dppPoolBackward')(
        input.values,
        alpha.values,
        lambda.values,
        gradOutput.values,
        gradInput!.values,
        gradAlpha!.values,
        gradLambda!.values,
        geometry,
        asymmetric,
        kept?.values,
      ),
  }).output;
}

/**
 * Each window's cells side by side: x̃ their mean, d = x − x̃ (Relu'd when asymmetric),
 * w = α + (d² + ε²)^(λ/2) with α and λ per layer or per channel, y = Σ w·x / Σ w.
 */
function exportDppPool(call: OnnxExportCall) {
  const { graph, owner } = call;
  const apply = (opType: string, inputs: string[]) => graph.apply(opType, inputs, {}, owner);
  const cells = windowCells(call, call.input, exportWindow(call).axes);
  const [alpha, lambda] = call.weights as [Tensor, Tensor];
  const difference = apply('Sub', [cells.values, cellMean(cells, cells.values)]);
  const kept = isAsymmetric(owner, call.options.reward) ? apply('Relu', [difference]) : difference;
  const base = apply('Add', [apply('Mul', [kept, kept]), scalar(call, 'epsilon_squared', DPP_EPSILON_SQUARED)]);
  const halfLambda = channelConstant(
    call,
    'half_lambda',
    lambda.values.map((value) => value / 2),
    cells.tail,
  );
  const weights = apply('Add', [
    channelConstant(call, 'alpha', alpha.values, cells.tail),
    apply('Pow', [base, halfLambda]),
  ]);
  return spatial(pooledOutput(cells, weightedMean(cells, weights, cells.values)));
}

export const detailPreservingKind = definePoolingKind({
  names: ['detailPreserving', 'dpp'],
  layoutFree: true,
  window: 'sliding',
  ranks: [1, 2, 3],
  op: 'dppPool{rank}d',
  // The wasm kernels: float32 with 1-ulp SIMD e^x and ln x for ρ = e^{(λ/2)·ln(d² + ε²)} (reference:
  // float64 pow), the mean summed in float64 and d kept to its own digits; ∂y/∂x is a difference of
  // terms up to |λ|·ρ/ε ≈ 30 times larger than itself (|x| ≤ 8): ~10⁻⁶ absolute (measured: 8·10⁻⁷).
  tolerance: { relative: 1e-5, absolute: 5e-6 },
  tensorArguments: ['alpha', 'lambda'],
  options: [
    ...windowOptions,
    {
      name: 'reward',
      default: 'symmetric',
      inConfig: 'always',
      doc: "'symmetric': ρ rewards any difference from the window mean; 'asymmetric': only values above it.",
      field: { type: 'select', choices: ['symmetric', 'asymmetric'], demo: 'symmetric' },
    },
    ...scalarWeightOptions(alphaSpec, 'α (per channel)', 'channel'),
    ...scalarWeightOptions(lambdaSpec, 'λ (per channel)', 'channel'),
  ],
  docs: {
    label: 'Detail-preserving pooling',
    summary: 'A weighted mean of each window that weighs cells far from the window mean more (Lite-DPP).',
    formula: 'y = Σ wᵢxᵢ / Σ wᵢ, wᵢ = α + (√((xᵢ − x̃)² + ε²))^λ, x̃ the window mean, ε² = 10⁻³',
    gradient:
      'wₖ/Σw plus the terms through ρ and through x̃ to each cell; ∂y/∂α = Σ(xᵢ − y)/Σw; ∂y/∂λ = Σ(xᵢ − y)/Σw·∂ρᵢ/∂λ.',
    source: 'Saeedan, Weber, Goesele & Roth, CVPR 2018',
  },
  kernels: { dppPoolForward, dppPoolBackward },
  outputShape: windowOutputShape,
  compute: computeDppPool,
  layer: {
    className: 'DetailPreservingPooling{rank}D',
    keras: false,
    seedConfig: { poolSize: 2 },
    weights: joinWeights(scalarWeights(alphaSpec), scalarWeights(lambdaSpec)),
  },
  onnx: { export: exportDppPool },
});

/**
 * Detail-preserving pooling, Lite-DPP (Saeedan, Weber, Goesele & Roth, CVPR 2018): y = Σ wᵢxᵢ / Σ wᵢ,
 * wᵢ = α + (√((xᵢ − x̃)² + ε²))^λ, x̃ the window mean, ε² = 10⁻³; α and λ (learnable) each of
 * shape [1] or [channels]; `reward: 'asymmetric'` rewards only values above x̃.
 * @example dppPool2d(x, ones([64]), ones([64]), { kernelSize: 2 })
 */
export type DppPoolOp = (input: Tensor, alpha: Tensor, lambda: Tensor, options: DppPoolOptions) => Tensor;

export const [dppPool1d, dppPool2d, dppPool3d] = rankedOps(detailPreservingKind).as<DppPoolOp>();
