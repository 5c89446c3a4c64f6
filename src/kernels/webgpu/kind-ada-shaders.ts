// AdaPool's WGSL in float32 (the reference, ada-pool.ts, computes in float64): y = β·eDSCW + (1 − β)·eM
// per output element; the backward as a statistics dispatch per window (the means, totals, the shared
// mean term and ∂y/∂β's term, which the host sums per β slot in walk order) and a gather per input cell.
import { forCells, gatherShader, outputShader } from './kind-walk.js';
import { reads, writes } from './shader-common.js';

const input = reads('input', 'u32');
const beta = reads('beta', 'f32');
const WIDTH = 7;
const stat = (index: number): string => `stats[outputIndex * ${WIDTH}u + ${index}u]`;

/**
 * The window's statistics (ada-pool.ts's windowMeans): max, plain mean ā, Σe^{DSC}, Σe^{x − max},
 * eDSCW, eM, and the shared term (1/n)·Σ qᵢ(xᵢ − eDSCW)·∂₂DSCᵢ; `valid` false for an empty window,
 * NaN means for one holding NaN or ±Infinity. DSC is computed on values scaled by max(|a|, |b|), so
 * float32 neither overflows nor flushes a² + b² where float64 would not.
 */
const adaWgsl = `
struct Ada { largest: f32, mean: f32, diceTotal: f32, exponentialTotal: f32, dice: f32, exponential: f32, meanTerm: f32, valid: bool }
fn dice(a: f32, b: f32) -> f32 {
  let scale = max(abs(a), abs(b));
  if (scale == 0.0) { return 1.0; }
  let x = a / scale;
  let y = b / scale;
  return (2.0 * x * y) / (x * x + y * y);
}
/** ∂DSC(a, b)/∂a = 2b(b² − a²)/(a² + b²)², 0 at a = b = 0. */
fn diceSlope(a: f32, b: f32) -> f32 {
  let scale = max(abs(a), abs(b));
  if (scale == 0.0) { return 0.0; }
  let x = a / scale;
  let y = b / scale;
  let norm = x * x + y * y;
  return ((2.0 * y * (y * y - x * x)) / (norm * norm)) / scale;
}
fn adaWindow(w: Window) -> Ada {
  if (w.count == 0) { return Ada(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, false); }
  var sum: f32 = 0.0;
  var largest = floatOfBits(0xff800000u);
  var finite = true;
  ${forCells('if (!isFiniteBits(bits)) { finite = false; } else { sum = sum + value; largest = max(largest, value); }')}
  if (!finite) {
    let missing = notANumber();
    return Ada(missing, missing, missing, missing, missing, missing, missing, true);
  }
  let mean = sum / f32(w.count);
  var diceTotal: f32 = 0.0;
  var diceSum: f32 = 0.0;
  var exponentialTotal: f32 = 0.0;
  var exponentialSum: f32 = 0.0;
  ${forCells(`let diceWeight = exp(dice(value, mean));
    let exponentialWeight = exp(value - largest);
    diceTotal = diceTotal + diceWeight;
    diceSum = diceSum + diceWeight * value;
    exponentialTotal = exponentialTotal + exponentialWeight;
    exponentialSum = exponentialSum + exponentialWeight * value;`)}
  let diceMean = diceSum / diceTotal;
  var meanTerm: f32 = 0.0;
  ${forCells('meanTerm = meanTerm + exp(dice(value, mean)) / diceTotal * (value - diceMean) * diceSlope(mean, value);')}
  return Ada(largest, mean, diceTotal, exponentialTotal, diceMean, exponentialSum / exponentialTotal,
    meanTerm / f32(w.count), true);
}`;

/** β of an output element: one shared value, or one per output cell. */
const betaWgsl = `
fn betaOf(outputIndex: u32) -> f32 {
  if (arrayLength(&beta) == 1u) { return beta[0]; }
  return beta[locate(outputIndex, outSpatial()).z];
}`;

const adaForward = outputShader(
  [input, beta, writes('output', 'f32')],
  `let window = adaWindow(w);
  let blend = betaOf(element);
  if (!window.valid) { output[element] = 0.0; return; }
  if (!isFiniteValue(window.mean)) { output[element] = notANumber(); return; }
  output[element] = blend * window.dice + (1.0 - blend) * window.exponential;`,
  adaWgsl + betaWgsl,
);

/** Statistics per window and ∂y/∂β's term g·(eDSCW − eM) (0 for an empty window, NaN for a non-finite one). */
const adaStats = outputShader(
  [input, reads('gradOutput', 'f32'), writes('stats', 'f32'), writes('terms', 'f32')],
  `let window = adaWindow(w);
  let outputIndex = element;
  ${stat(0)} = window.largest;
  ${stat(1)} = window.mean;
  ${stat(2)} = window.diceTotal;
  ${stat(3)} = window.exponentialTotal;
  ${stat(4)} = window.dice;
  ${stat(5)} = window.exponential;
  ${stat(6)} = select(0.0, window.meanTerm, window.valid);
  let term = select(notANumber(), gradOutput[element] * (window.dice - window.exponential), isFiniteValue(window.mean));
  terms[element] = select(0.0, term, window.valid);`,
  adaWgsl,
);

/**
 * ∂y/∂xₖ per window: g·β·[qₖ(1 + (xₖ − A)∂₁DSCₖ) + shared] + g·(1 − β)·pₖ(1 + xₖ − M); a window holding
 * NaN or ±Infinity makes the cell's gradient NaN, as the reference's assignment does.
 */
const adaBackward = gatherShader(
  [input, beta, reads('stats', 'f32'), reads('gradOutput', 'f32'), writes('gradInput', 'f32')],
  `if (poisoned) { continue; }
        let mean = ${stat(1)};
        if (!isFiniteValue(mean)) { poisoned = true; sum = notANumber(); continue; }
        let gradient = gradOutput[outputIndex];
        let blend = betaOf(outputIndex);
        let diceWeight = exp(dice(value, mean)) / ${stat(2)};
        let own = diceWeight * (1.0 + (value - ${stat(4)}) * diceSlope(value, mean));
        let softmax = exp(value - ${stat(0)}) / ${stat(3)} * (1.0 + value - ${stat(5)});
        sum = sum + gradient * blend * (own + ${stat(6)}) + gradient * (1.0 - blend) * softmax;`,
  { functions: adaWgsl + betaWgsl, prepare: 'var poisoned = false;', window: false },
);

export const adaKindShaders: Readonly<Record<string, () => string>> = {
  adaKindForward: () => adaForward,
  adaKindStats: () => adaStats,
  adaKindBackward: () => adaBackward,
};
