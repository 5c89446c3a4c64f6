// Detail-preserving pooling's WGSL (DPP Lite) in float32 (the reference, dpp-pool.ts, computes in
// float64): the forward per output element; the backward as a statistics dispatch per window (x̃, Σw,
// y, Σ of the terms through x̃, and ∂y/∂α's and ∂y/∂λ's terms, which the host sums per slot in walk
// order) and a gather per input cell.
import { forCells, gatherShader, KindParam, outputShader } from './kind-walk.js';
import { reads, writes } from './shader-common.js';

const input = reads('input', 'u32');
const parameters = [reads('alpha', 'f32'), reads('lambda', 'f32')];
const WIDTH = 4;
const stat = (index: number): string => `stats[outputIndex * ${WIDTH}u + ${index}u]`;

/** ε² = 10⁻³ in float32 (dpp-pool.ts's DPP_EPSILON_SQUARED), and the window's x̃, Σw and y. */
const dppWgsl = `
const EPSILON_SQUARED: f32 = 1e-3;
struct Dpp { mean: f32, total: f32, output: f32 }
fn asymmetric() -> bool { return p(${KindParam.coefficient}u) != 0; }
/** d, clipped at 0 below when asymmetric. */
fn keptDifference(value: f32, mean: f32) -> f32 {
  let difference = value - mean;
  return select(difference, max(difference, 0.0), asymmetric());
}
/** ρ = (d² + ε²)^(λ/2): the base is at least ε², so pow's positive-base rule holds. */
fn reward(difference: f32, lambda: f32) -> f32 { return pow(difference * difference + EPSILON_SQUARED, lambda / 2.0); }
fn dppWindow(w: Window, alpha: f32, lambda: f32) -> Dpp {
  if (w.count == 0) { return Dpp(0.0, 0.0, 0.0); }
  let count = f32(w.count);
  var mean: f32 = 0.0;
  var finite = true;
  ${forCells('if (!isFiniteBits(bits)) { finite = false; } else { mean = mean + value / count; }')}
  if (!finite || !isFiniteValue(mean)) { return Dpp(notANumber(), 0.0, notANumber()); }
  var total: f32 = 0.0;
  var weighted: f32 = 0.0;
  ${forCells(`let weight = alpha + reward(keptDifference(value, mean), lambda);
    total = total + weight;
    weighted = weighted + weight * value;`)}
  return Dpp(mean, total, weighted / total);
}
fn alphaOf(w: Window) -> f32 { return alpha[slotOf(arrayLength(&alpha), w)]; }
fn lambdaOf(w: Window) -> f32 { return lambda[slotOf(arrayLength(&lambda), w)]; }
/** cᵢ·∂ρᵢ/∂dᵢ with cᵢ = (xᵢ − y)/Σw: the cell's term through x̃. */
fn meanTerm(value: f32, window: Dpp, lambda: f32) -> f32 {
  let difference = keptDifference(value, window.mean);
  let base = difference * difference + EPSILON_SQUARED;
  return ((value - window.output) / window.total) * lambda * difference * reward(difference, lambda) / base;
}`;

const dppForward = outputShader(
  [input, ...parameters, writes('output', 'f32')],
  'output[element] = dppWindow(w, alphaOf(w), lambdaOf(w)).output;',
  dppWgsl,
);

/** x̃, Σw, y and Σ termᵢ per window; ∂y/∂α's term g·Σcᵢ and ∂y/∂λ's g·Σcᵢρᵢ·ln(dᵢ² + ε²)/2 (0 where y is not finite). */
const dppStats = outputShader(
  [
    input,
    ...parameters,
    reads('gradOutput', 'f32'),
    writes('stats', 'f32'),
    writes('alphaTerms', 'f32'),
    writes('lambdaTerms', 'f32'),
  ],
  `let lambda = lambdaOf(w);
  let window = dppWindow(w, alphaOf(w), lambda);
  let outputIndex = element;
  var throughMean: f32 = 0.0;
  var alphaSum: f32 = 0.0;
  var lambdaSum: f32 = 0.0;
  let passes = isFiniteValue(window.output) && w.count > 0;
  if (passes) {
    ${forCells(`let difference = keptDifference(value, window.mean);
      let base = difference * difference + EPSILON_SQUARED;
      let coefficient = (value - window.output) / window.total;
      throughMean = throughMean + meanTerm(value, window, lambda);
      alphaSum = alphaSum + coefficient;
      lambdaSum = lambdaSum + coefficient * reward(difference, lambda) * log(base) / 2.0;`)}
  }
  ${stat(0)} = window.mean;
  ${stat(1)} = window.total;
  ${stat(2)} = select(notANumber(), window.output, passes);
  ${stat(3)} = throughMean;
  let gradient = gradOutput[element];
  alphaTerms[element] = select(0.0, gradient * alphaSum, passes);
  lambdaTerms[element] = select(0.0, gradient * lambdaSum, passes);`,
  dppWgsl,
);

/** ∂y/∂xₖ = g·((α + ρₖ)/Σw + termₖ − Σ termᵢ/n) per window; a window whose y is not finite passes nothing. */
const dppBackward = gatherShader(
  [input, ...parameters, reads('stats', 'f32'), reads('gradOutput', 'f32'), writes('gradInput', 'f32')],
  `let output = ${stat(2)};
        if (!isFiniteValue(output)) { continue; }
        let lambda = lambdaOf(w);
        let statistics = Dpp(${stat(0)}, ${stat(1)}, output);
        let direct = (alphaOf(w) + reward(keptDifference(value, statistics.mean), lambda)) / statistics.total;
        let local = direct + meanTerm(value, statistics, lambda) - ${stat(3)} / f32(w.count);
        sum = sum + gradOutput[outputIndex] * local;`,
  { functions: dppWgsl },
);

export const dppKindShaders: Readonly<Record<string, () => string>> = {
  dppKindForward: () => dppForward,
  dppKindStats: () => dppStats,
  dppKindBackward: () => dppBackward,
};
