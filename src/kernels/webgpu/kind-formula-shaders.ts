// The WGSL of the formula window kinds (SoftPool, GeM, LSE) in float32 (the reference computes in
// float64): the forward per output element; the backward as a statistics dispatch per window (shift,
// softmax total, output, and the window's parameter-gradient term, which the host sums per slot in
// walk order) and a gather per input cell. expm1 and log1p, which WGSL lacks, by series near 0.
import { forCells, gatherShader, KindParam, outputShader } from './kind-walk.js';
import { reads, writes, type StorageArray } from './shader-common.js';

const input = reads('input', 'u32');
const gradients: readonly StorageArray[] = [reads('gradOutput', 'f32'), writes('gradInput', 'f32')];
const stat = (width: number, index: number): string => `stats[outputIndex * ${width}u + ${index}u]`;

/** SoftPool's window (soft-pool.ts's softWindow): shift m (the max), Σeᵢ and y = m + Σeᵢ(xᵢ − m)/Σeᵢ. */
const softWgsl = `
fn softWindow(w: Window) -> vec3<f32> {
  if (w.count == 0) { return vec3<f32>(0.0, 0.0, 0.0); }
  var shift = floatOfBits(0xff800000u);
  var hasNan = false;
  ${forCells('if (isNanBits(bits)) { hasNan = true; } else if (position == 0 || value > shift) { shift = value; }')}
  if (hasNan) { return vec3<f32>(notANumber(), 0.0, notANumber()); }
  if (!isFiniteValue(shift)) { return vec3<f32>(shift, 1.0, shift); }
  var total: f32 = 0.0;
  var weighted: f32 = 0.0;
  ${forCells(`let weight = softWeight(value, shift);
    total = total + weight;
    if (weight > 0.0) { weighted = weighted + weight * (value - shift); }`)}
  return vec3<f32>(shift, total, shift + weighted / total);
}
/** e^{x − m} for a finite shift m: 1 at m itself, 0 for −Infinity. */
fn softWeight(value: f32, shift: f32) -> f32 {
  if (value == shift) { return 1.0; }
  if (bitcast<u32>(value) == 0xff800000u) { return 0.0; }
  return exp(value - shift);
}`;

const softForward = outputShader([input, writes('output', 'f32')], 'output[element] = softWindow(w).z;', softWgsl);

const softStats = outputShader(
  [input, writes('stats', 'f32')],
  `let window = softWindow(w);
  stats[element * 3u] = window.x;
  stats[element * 3u + 1u] = window.y;
  stats[element * 3u + 2u] = window.z;`,
  softWgsl,
);

/** ∂y/∂xₖ = g·sₖ·(1 + xₖ − y); a window whose output is not finite passes nothing. */
const softBackward = gatherShader(
  [input, reads('stats', 'f32'), ...gradients],
  `let output = ${stat(3, 2)};
        if (!isFiniteValue(output)) { continue; }
        let weight = softWeight(value, ${stat(3, 0)}) / ${stat(3, 1)};
        if (weight == 0.0) { continue; }
        sum = sum + gradOutput[outputIndex] * weight * (1.0 + value - output);`,
  { functions: softWgsl },
);

/** expm1 and log1p (which WGSL lacks) by series near 0, where exp(z) − 1 and log(1 + u) lose digits; ln near 1 by log1p (WGSL's log is only 2^-21 absolute there). */
const seriesWgsl = `
fn expm1Small(z: f32) -> f32 {
  if (abs(z) >= 0.5) { return exp(z) - 1.0; }
  return z * (1.0 + z / 2.0 * (1.0 + z / 3.0 * (1.0 + z / 4.0 * (1.0 + z / 5.0 * (1.0 + z / 6.0 * (1.0 + z / 7.0 * (1.0 + z / 8.0)))))));
}
/** ln(1 + u) for u > −1: 2·atanh(u/(2 + u)) by its series where |u| < 0.5. */
fn log1pSmall(u: f32) -> f32 {
  if (abs(u) >= 0.5) { return log(1.0 + u); }
  let s = u / (2.0 + u);
  let s2 = s * s;
  var term = s;
  var total: f32 = 0.0;
  for (var k = 0; k < 12; k++) { total = total + term / f32(2 * k + 1); term = term * s2; }
  return 2.0 * total;
}
fn lnNearOne(t: f32) -> f32 { return select(log(t), log1pSmall(t - 1.0), abs(t - 1.0) < 0.5); }`;

/** GeM's clamp floor, float32 1e-6 (gem-pool.ts's GEM_EPSILON). */
const gemWgsl = `${seriesWgsl}
const GEM_EPSILON: f32 = 9.99999997e-7;
const SMALLEST_NORMAL: f32 = 1.17549435e-38;
fn gemPower(ratio: f32, exponent: f32) -> f32 {
  if (isInfiniteBits(bitcast<u32>(ratio))) { return select(0.0, ratio, exponent > 0.0); }
  return powerOf(ratio, exponent);
}
/**
 * (c/s)^p for c ≥ ε > 0: GPUs may flush a subnormal c/s (ε/1e38) to 0, whose power is then 0 where
 * float64 gives a normal number (p = 0.01: 0.36); there it is e^{p(ln c − ln s)}, both logs normal.
 */
fn ratioPower(c: f32, s: f32, exponent: f32) -> f32 {
  let ratio = c / s;
  if (ratio >= SMALLEST_NORMAL || !isFiniteValue(s)) { return gemPower(ratio, exponent); }
  return exp(exponent * (log(c) - log(s)));
}
/** ln(c/s) for c ≥ ε > 0, through the logs where c/s would be subnormal. */
fn lnRatio(c: f32, s: f32) -> f32 {
  let ratio = c / s;
  if (ratio >= SMALLEST_NORMAL) { return lnNearOne(ratio); }
  return log(c) - log(s);
}
/** gem-pool.ts's gemWindow: s·(mean (c/s)^p)^(1/p), c = max(x, ε), s the largest c (smallest for p < 0). */
fn gemWindow(w: Window, exponent: f32) -> f32 {
  if (w.count == 0) { return 0.0; }
  var scale = select(floatOfBits(0x7f800000u), 0.0, exponent > 0.0);
  var hasNan = false;
  ${forCells(`let clamped = max(value, GEM_EPSILON);
    if (isNanBits(bits)) { hasNan = true; }
    else if (exponent > 0.0) { scale = max(scale, clamped); } else { scale = min(scale, clamped); }`)}
  if (hasNan) { return notANumber(); }
  if (!isFiniteValue(scale)) { return scale; }
  var sum: f32 = 0.0;
  ${forCells('sum = sum + ratioPower(max(value, GEM_EPSILON), scale, exponent);')}
  return scale * powerOf(sum / f32(w.count), 1.0 / exponent);
}`;

const gemForward = outputShader(
  [input, reads('powers', 'f32'), writes('output', 'f32')],
  'output[element] = gemWindow(w, powers[slotOf(arrayLength(&powers), w)]);',
  gemWgsl,
);

/** y per window, and ∂y/∂p = (g/n)·(y/p)·Σ tᵢ^p·ln tᵢ (tᵢ = cᵢ/y) for the host to sum. */
const gemStats = outputShader(
  [input, reads('powers', 'f32'), reads('gradOutput', 'f32'), writes('stats', 'f32'), writes('terms', 'f32')],
  `let exponent = powers[slotOf(arrayLength(&powers), w)];
  let output = gemWindow(w, exponent);
  stats[element] = output;
  terms[element] = 0.0;
  if (!isFiniteValue(output) || w.count == 0) { return; }
  var powerSum: f32 = 0.0;
  ${forCells(`let clamped = max(value, GEM_EPSILON);
    let powered = ratioPower(clamped, output, exponent);
    if (powered > 0.0) { powerSum = powerSum + powered * lnRatio(clamped, output); }`)}
  terms[element] = ((gradOutput[element] / f32(w.count)) * output / exponent) * powerSum;`,
  gemWgsl,
);

/** ∂y/∂xᵢ = (g/n)·tᵢ^(p−1) where xᵢ ≥ ε. */
const gemBackward = gatherShader(
  [input, reads('powers', 'f32'), reads('stats', 'f32'), ...gradients],
  `let output = stats[outputIndex];
        if (!isFiniteValue(output) || isNanBits(bits) || value < GEM_EPSILON) { continue; }
        let exponent = powers[slotOf(arrayLength(&powers), w)];
        sum = sum + (gradOutput[outputIndex] / f32(w.count)) * ratioPower(value, output, exponent - 1.0);`,
  { functions: gemWgsl },
);

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

/** LIP's window (lip-pool.ts): the largest gate G = λσ(z), Σ e^{G − max G} and the weighted mean; NaN logits poison it. */
const lipWgsl = `
fn lipGate(logit: f32) -> f32 { return bitcast<f32>(params[${KindParam.coefficient}u]) / (1.0 + exp(-logit)); }
fn lipWindow(w: Window) -> vec3<f32> {
  if (w.count == 0) { return vec3<f32>(0.0, 0.0, 0.0); }
  var largest = floatOfBits(0xff800000u);
  var hasNan = false;
  ${forCells('let logit = logits[inputIndex]; if (isNanBits(bitcast<u32>(logit))) { hasNan = true; } else { largest = max(largest, lipGate(logit)); }')}
  if (hasNan) { return vec3<f32>(notANumber(), notANumber(), notANumber()); }
  var total: f32 = 0.0;
  var weighted: f32 = 0.0;
  ${forCells(`let weight = exp(lipGate(logits[inputIndex]) - largest);
    total = total + weight;
    weighted = weighted + weight * value;`)}
  return vec3<f32>(largest, total, weighted / total);
}`;

const lipForward = outputShader(
  [input, reads('logits', 'f32'), writes('output', 'f32')],
  'output[element] = lipWindow(w).z;',
  lipWgsl,
);

const lipStats = outputShader(
  [input, reads('logits', 'f32'), writes('stats', 'f32')],
  `let window = lipWindow(w);
  stats[element * 3u] = window.x;
  stats[element * 3u + 1u] = window.y;
  stats[element * 3u + 2u] = window.z;`,
  lipWgsl,
);

/** The share (g/Σ)·e^{G_i − max G} of each window holding the cell: ∂x (part 0) or ∂z = share·(x − y)·λσ(1 − σ) (part 1). */
const lipBackward = (part: 0 | 1) =>
  gatherShader(
    [input, reads('logits', 'f32'), reads('stats', 'f32'), ...gradients],
    `let logit = logits[element];
        let share = (gradOutput[outputIndex] / ${stat(3, 1)}) * exp(lipGate(logit) - ${stat(3, 0)});
        ${
          part === 0
            ? 'sum = sum + share;'
            : `let gate = 1.0 / (1.0 + exp(-logit));
        sum = sum + share * (value - ${stat(3, 2)}) * bitcast<f32>(params[${KindParam.coefficient}u]) * gate * (1.0 - gate);`
        }`,
    { functions: lipWgsl },
  );

export const formulaKindShaders: Readonly<Record<string, () => string>> = {
  softKindForward: () => softForward,
  softKindStats: () => softStats,
  softKindBackward: () => softBackward,
  gemKindForward: () => gemForward,
  gemKindStats: () => gemStats,
  gemKindBackward: () => gemBackward,
  lseKindForward: () => lseForward,
  lseKindStats: () => lseStats,
  lseKindBackward: () => lseBackward,
  lipKindForward: () => lipForward,
  lipKindStats: () => lipStats,
  lipKindBackwardInput: () => lipBackward(0),
  lipKindBackwardLogits: () => lipBackward(1),
};
