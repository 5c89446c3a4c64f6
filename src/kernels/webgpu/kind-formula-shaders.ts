// The WGSL of the formula window kinds (SoftPool, GeM, LIP; LSE in kind-lse-shaders.ts) in float32 (the reference computes in
// float64): the forward per output element; the backward as a statistics dispatch per window (shift,
// softmax total, output, and the window's parameter-gradient term, which the host sums per slot in
// walk order) and a gather per input cell.
import { lseKindShaders } from './kind-lse-shaders.js';
import { seriesWgsl } from './kind-series.js';
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
  ...lseKindShaders,
  lipKindForward: () => lipForward,
  lipKindStats: () => lipStats,
  lipKindBackwardInput: () => lipBackward(0),
  lipKindBackwardLogits: () => lipBackward(1),
};
