// Detail-preserving pooling, DPP (Saeedan, Weber, Goesele & Roth, CVPR 2018), Lite variant, reference
// kernels: y = Σ wᵢxᵢ / Σ wᵢ over each window's in-bounds cells with wᵢ = α + ρ_λ(xᵢ − x̃), x̃ the
// window's mean, ρ_λ(d) = (d² + ε²)^(λ/2) (symmetric) or (max(0, d)² + ε²)^(λ/2) (asymmetric).
import type { PoolGeometry } from '../../../geometry/pool-geometry.js';
import { walkCollectedWindows, type CollectedWindow } from './collect.js';
import { parameterSlot, readWindow, windowScratch, type WindowScratch } from './window-values.js';

/** ε² = 10⁻³: the constant the authors' code adds to the squared difference. */
export const DPP_EPSILON_SQUARED = 1e-3;

interface DppParameters {
  readonly alpha: number;
  readonly lambda: number;
  readonly asymmetric: boolean;
  /** Where α and λ of this window sit in their tensors (0, or the window's channel). */
  readonly alphaSlot: number;
  readonly lambdaSlot: number;
}

interface DppWindow {
  output: number;
  /** x̃, the window mean. */
  mean: number;
  /** Σ wᵢ. */
  total: number;
}

/** d² + ε² (d clipped at 0 below when asymmetric): the base that ρ raises to λ/2. */
function rewardBase(difference: number, asymmetric: boolean): number {
  const kept = asymmetric ? Math.max(difference, 0) : difference;
  return kept * kept + DPP_EPSILON_SQUARED;
}

/** One window's y; scratch.weights receives each ρᵢ. A window holding NaN or ±Infinity gives NaN; an empty one 0. */
function dppWindow(
  input: Float32Array,
  window: CollectedWindow,
  parameters: DppParameters,
  scratch: WindowScratch,
  into: DppWindow,
): DppWindow {
  const { count } = window;
  const { values, weights } = scratch;
  into.output = count === 0 ? 0 : NaN;
  into.mean = 0;
  into.total = 0;
  if (count === 0) return into;
  readWindow(input, window, values);
  for (let position = 0; position < count; position++) into.mean += values[position]! / count;
  if (!Number.isFinite(into.mean)) return into;
  let weighted = 0;
  for (let position = 0; position < count; position++) {
    const base = rewardBase(values[position]! - into.mean, parameters.asymmetric);
    weights[position] = Math.pow(base, parameters.lambda / 2);
    into.total += parameters.alpha + weights[position]!;
    weighted += (parameters.alpha + weights[position]!) * values[position]!;
  }
  into.output = weighted / into.total;
  return into;
}

/** α and λ of the window of an output element (one shared value, or its channel's). */
function parametersAt(
  alpha: Float32Array,
  lambda: Float32Array,
  asymmetric: boolean,
  geometry: PoolGeometry,
  outputIndex: number,
): DppParameters {
  const alphaSlot = parameterSlot(alpha, geometry, outputIndex);
  const lambdaSlot = parameterSlot(lambda, geometry, outputIndex);
  return { alpha: alpha[alphaSlot]!, lambda: lambda[lambdaSlot]!, asymmetric, alphaSlot, lambdaSlot };
}

/** `_kept`: room a fast kernel may fill for its backward (src/pooling/kinds/forward-keep.ts); unused here. */
export function dppPoolForward(
  input: Float32Array,
  alpha: Float32Array,
  lambda: Float32Array,
  output: Float32Array,
  geometry: PoolGeometry,
  asymmetric: boolean,
  _kept?: Float32Array,
): void {
  walkDppWindows(input, alpha, lambda, geometry, asymmetric, (window, _cells, _parameters, _scratch, outputIndex) => {
    output[outputIndex] = window.output;
  });
}

/** Every window computed (dppWindow) with its parameters, then handed to `visit` with its scratch. */
function walkDppWindows(
  input: Float32Array,
  alpha: Float32Array,
  lambda: Float32Array,
  geometry: PoolGeometry,
  asymmetric: boolean,
  visit: (
    window: DppWindow,
    cells: CollectedWindow,
    parameters: DppParameters,
    scratch: WindowScratch,
    outputIndex: number,
  ) => void,
): void {
  const scratch = windowScratch(geometry);
  const window: DppWindow = { output: 0, mean: 0, total: 0 };
  walkCollectedWindows(geometry, (cells, outputIndex) => {
    const parameters = parametersAt(alpha, lambda, asymmetric, geometry, outputIndex);
    dppWindow(input, cells, parameters, scratch, window);
    visit(window, cells, parameters, scratch, outputIndex);
  });
}

/** Sums over a window for its backward: Σ ∂y/∂wᵢ, Σ ∂y/∂wᵢ·∂ρᵢ/∂λ, and Σ of the terms through x̃. */
interface DppSums {
  alpha: number;
  lambda: number;
  throughMean: number;
}

/**
 * With cᵢ = ∂y/∂wᵢ = (xᵢ − y)/Σw: scratch.terms receives cᵢ·∂ρᵢ/∂dᵢ = cᵢ·λ·dᵢ·ρᵢ/(dᵢ² + ε²) (dᵢ clipped
 * when asymmetric), and the sums Σcᵢ (∂y/∂α), Σcᵢ·ρᵢ·ln(dᵢ² + ε²)/2 (∂y/∂λ) and Σ of the terms.
 */
function dppSums(window: DppWindow, count: number, parameters: DppParameters, scratch: WindowScratch): DppSums {
  const sums: DppSums = { alpha: 0, lambda: 0, throughMean: 0 };
  for (let position = 0; position < count; position++) {
    const value = scratch.values[position]!;
    const difference = parameters.asymmetric ? Math.max(value - window.mean, 0) : value - window.mean;
    const base = rewardBase(difference, false);
    const reward = scratch.weights[position]!;
    const coefficient = (value - window.output) / window.total;
    scratch.terms[position] = (coefficient * parameters.lambda * difference * reward) / base;
    sums.alpha += coefficient;
    sums.lambda += (coefficient * reward * Math.log(base)) / 2;
    sums.throughMean += scratch.terms[position]!;
  }
  return sums;
}

/**
 * ∂y/∂xₖ = wₖ/Σw + termₖ − (Σ termᵢ)/n (x̃ moves with every cell); ∂y/∂α = Σ(xᵢ − y)/Σw;
 * ∂y/∂λ = Σ(xᵢ − y)/Σw·ρᵢ·ln(dᵢ² + ε²)/2. A window whose output is not finite passes no gradient.
 * gradInput, gradAlpha and gradLambda must be zeroed first.
 */
export function dppPoolBackward(
  input: Float32Array,
  alpha: Float32Array,
  lambda: Float32Array,
  gradOutput: Float32Array,
  gradInput: Float32Array,
  gradAlpha: Float32Array,
  gradLambda: Float32Array,
  geometry: PoolGeometry,
  asymmetric: boolean,
  _kept?: Float32Array,
): void {
  walkDppWindows(input, alpha, lambda, geometry, asymmetric, (window, cells, parameters, scratch, outputIndex) => {
    if (!Number.isFinite(window.output)) return;
    const sums = dppSums(window, cells.count, parameters, scratch);
    const gradient = gradOutput[outputIndex]!;
    for (let position = 0; position < cells.count; position++) {
      const direct = (parameters.alpha + scratch.weights[position]!) / window.total;
      const local = direct + scratch.terms[position]! - sums.throughMean / cells.count;
      gradInput[cells.inputIndices[position]!]! += gradient * local;
    }
    gradAlpha[parameters.alphaSlot]! += gradient * sums.alpha;
    gradLambda[parameters.lambdaSlot]! += gradient * sums.lambda;
  });
}
