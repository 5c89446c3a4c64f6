// LSE pooling's WGSL in float32 (the reference, lse-pool.ts, computes in float64): the forward per
// output element; the backward as a statistics dispatch per window (shift, Σeᵢ, output, the mean-limit
// flag and ∂y/∂r's term, which the host sums per slot in walk order) and a gather per input cell.
import { seriesWgsl } from './kind-series.js';
import { forCells, gatherShader, outputShader } from './kind-walk.js';
import { reads, writes, type StorageArray } from './shader-common.js';

const input = reads('input', 'u32');
const gradients: readonly StorageArray[] = [reads('gradOutput', 'f32'), writes('gradInput', 'f32')];
const stat = (width: number, index: number): string => `stats[outputIndex * ${width}u + ${index}u]`;

/** LSE's window (lse-pool.ts's lseWindow): shift, Σeᵢ, y, log(mean eᵢ) and whether it is the mean limit. */
const lseWgsl = `${seriesWgsl}
struct Lse { shift: f32, total: f32, output: f32, logMean: f32, meanLimit: bool }
/** e^{r(x − m)}: 1 at m, 0 where the exponent is −Infinity or below float32's range. */
fn lseWeight(value: f32, shift: f32, rate: f32) -> f32 {
  if (value == shift) { return 1.0; }
  let exponent = rate * (value - shift);
  return select(exp(exponent), 0.0, exponent < -200.0);
}
fn lseWindow(w: Window, rate: f32) -> Lse {
  let count = f32(w.count);
  if (w.count == 0) { return Lse(0.0, 0.0, 0.0, 0.0, true); }
  var low = floatOfBits(0x7f800000u);
  var high = floatOfBits(0xff800000u);
  var shift: f32 = 0.0;
  var hasNan = false;
  ${forCells(`if (isNanBits(bits)) { hasNan = true; }
    else {
      low = min(low, value);
      high = max(high, value);
      if (position == 0 || (rate > 0.0 && value > shift) || (rate < 0.0 && value < shift)) { shift = value; }
    }`)}
  if (hasNan) { return Lse(0.0, count, notANumber(), 0.0, true); }
  let finiteSpread = isFiniteValue(low) && isFiniteValue(high);
  if (rate == 0.0 || (finiteSpread && abs(rate) * (high - low) < 1e-9)) {
    var mean: f32 = 0.0;
    ${forCells('mean = mean + value / count;')}
    return Lse(0.0, count, mean, 0.0, true);
  }
  if (!isFiniteValue(shift)) { return Lse(shift, 1.0, shift, 0.0, false); }
  var total: f32 = 0.0;
  var expm1Sum: f32 = 0.0;
  ${forCells(`let weight = lseWeight(value, shift, rate);
    total = total + weight;
    if (value != shift) { expm1Sum = expm1Sum + select(expm1Small(rate * (value - shift)), -1.0, weight == 0.0); }`)}
  let logMean = log1pSmall(expm1Sum / count);
  return Lse(shift, total, shift + logMean / rate, logMean, false);
}
fn lseShare(window: Lse, value: f32, rate: f32, count: i32) -> f32 {
  if (window.meanLimit) { return 1.0 / f32(count); }
  return lseWeight(value, window.shift, rate) / window.total;
}`;

const lseForward = outputShader(
  [input, reads('rate', 'f32'), writes('output', 'f32')],
  'output[element] = lseWindow(w, rate[slotOf(arrayLength(&rate), w)]).output;',
  lseWgsl,
);

/** Per window: shift, total, y, the mean-limit flag; ∂y/∂r's term for the host to sum. */
const lseStats = outputShader(
  [input, reads('rate', 'f32'), reads('gradOutput', 'f32'), writes('stats', 'f32'), writes('terms', 'f32')],
  `let r = rate[slotOf(arrayLength(&rate), w)];
  let window = lseWindow(w, r);
  stats[element * 4u] = window.shift;
  stats[element * 4u + 1u] = window.total;
  stats[element * 4u + 2u] = window.output;
  stats[element * 4u + 3u] = select(0.0, 1.0, window.meanLimit);
  terms[element] = 0.0;
  if (!isFiniteValue(window.output)) { return; }
  var rateTerm: f32 = 0.0;
  ${forCells(`let share = lseShare(window, value, r, w.count);
    if (share != 0.0) {
      if (window.meanLimit) { let offset = value - window.output; rateTerm = rateTerm + share * offset * offset / 2.0; }
      else { rateTerm = rateTerm + share * select(value - window.shift, 0.0, value == window.shift); }
    }`)}
  let gradient = gradOutput[element];
  if (window.meanLimit) { terms[element] = gradient * rateTerm; return; }
  // (Σsᵢ(xᵢ − m) − log(mean e^{r(x − m)})/r)/r subtracts two near-equal terms when r·spread is
  // small, which float32 (the reference has float64) pays for; about the window's mean μ both
  // terms are O(r·variance) instead, so where |r|·spread ≤ 1 (no e^{r(x − μ)} can overflow) the
  // term is Σ (1 + expm1(r dᵢ)) dᵢ / Σ e^{r dᵢ} − log1p(mean expm1(r dᵢ))/r, over r, dᵢ = xᵢ − μ.
  var low = floatOfBits(0x7f800000u);
  var high = floatOfBits(0xff800000u);
  var mean: f32 = 0.0;
  ${forCells('low = min(low, value); high = max(high, value); mean = mean + value / f32(w.count);')}
  if (isFiniteValue(low) && isFiniteValue(high) && abs(r) * (high - low) <= 1.0) {
    var offsets: f32 = 0.0;
    var weightedOffsets: f32 = 0.0;
    var expm1Sum: f32 = 0.0;
    ${forCells(`let offset = value - mean;
      let grown = expm1Small(r * offset);
      offsets = offsets + offset;
      weightedOffsets = weightedOffsets + grown * offset;
      expm1Sum = expm1Sum + grown;`)}
    let shares = (offsets + weightedOffsets) / (f32(w.count) + expm1Sum);
    terms[element] = gradient * (shares - log1pSmall(expm1Sum / f32(w.count)) / r) / r;
    return;
  }
  terms[element] = gradient * (rateTerm - window.logMean / r) / r;`,
  lseWgsl,
);

/** ∂y/∂xᵢ = g·sᵢ, the softmax of r·x (1/n in the mean limit). */
const lseBackward = gatherShader(
  [input, reads('rate', 'f32'), reads('stats', 'f32'), ...gradients],
  `let output = ${stat(4, 2)};
        if (!isFiniteValue(output)) { continue; }
        let lse = Lse(${stat(4, 0)}, ${stat(4, 1)}, output, 0.0, ${stat(4, 3)} != 0.0);
        let share = lseShare(lse, value, rate[slotOf(arrayLength(&rate), w)], w.count);
        if (share != 0.0) { sum = sum + gradOutput[outputIndex] * share; }`,
  { functions: lseWgsl },
);

export const lseKindShaders: Readonly<Record<string, () => string>> = {
  lseKindForward: () => lseForward,
  lseKindStats: () => lseStats,
  lseKindBackward: () => lseBackward,
};
