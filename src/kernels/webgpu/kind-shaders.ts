// The WGSL of the selection and formula window kinds (min, median, random, stochastic, mixed, gated,
// ordinal, SoftPool, GeM, LSE): each a reducer snippet that kind-walk.ts's one walk wraps. Forwards
// run per output element; backwards per input element, gathering from the windows holding it, with
// each window's statistics (softmax shift and total, max cell, ...) from a first dispatch.
import { adaKindShaders } from './kind-ada-shaders.js';
import { dppKindShaders } from './kind-dpp-shaders.js';
import { formulaKindShaders } from './kind-formula-shaders.js';
import { regionKindShaders } from './kind-region-shaders.js';
import { sampleKindShaders } from './kind-sample-shaders.js';
import { waveletKindShaders } from './kind-wavelet-shaders.js';
import { tapKindShaders } from './kind-tap-shaders.js';
import { forCells, gatherShader, outputShader, rankWgsl, statsWgsl } from './kind-walk.js';
import { reads, writes, type StorageArray } from './shader-common.js';

const input = reads('input', 'u32');
const gradients: readonly StorageArray[] = [reads('gradOutput', 'f32'), writes('gradInput', 'f32')];

/** Per output element: index `i` of a `width`-float record of window statistics. */
const stat = (width: number, index: number): string => `stats[outputIndex * ${width}u + ${index}u]`;

const minForward = outputShader(
  [input, writes('output', 'u32'), writes('argmin', 'i32')],
  `var best = 0x7f800000u;
  var bestKey = orderKey(best);
  var index = -1;
  var isNan = false;
  ${forCells(`if (index < 0) { index = i32(spatialIndex); }
    if (isNanBits(bits)) { best = bits; index = i32(spatialIndex); isNan = true; }
    else if (!isNan && orderKey(bits) < bestKey) { best = bits; bestKey = orderKey(bits); index = i32(spatialIndex); }`)}
  output[element] = best;
  argmin[element] = index;`,
);

const medianForward = outputShader(
  [input, writes('output', 'u32'), writes('argmedian', 'i32')],
  `if (w.count == 0) { output[element] = 0u; argmedian[element] = -1; return; }
  var chosen = -1;
  var chosenBits = 0u;
  ${forCells('if (chosen < 0 && isNanBits(bits)) { chosen = i32(spatialIndex); chosenBits = bits; }')}
  if (chosen < 0) {
    let wanted = w.count - 1 - (w.count - 1) / 2;
    var medianKey = 0u;
    ${forCells('let key = rankKey(bits); if (rankOf(w, key, position) == wanted) { medianKey = key; }')}
    ${forCells('if (chosen < 0 && rankKey(bits) == medianKey) { chosen = i32(spatialIndex); chosenBits = bits; }')}
  }
  output[element] = chosenBits;
  argmedian[element] = chosen;`,
  rankWgsl,
);

/** The drawn window position comes from the host (random-pool.ts's floor(draw·count) in float64): -1 for none. */
const randomForward = outputShader(
  [input, reads('positions', 'i32'), writes('output', 'u32'), writes('chosen', 'i32')],
  `let wanted = positions[element];
  output[element] = 0u;
  chosen[element] = -1;
  ${forCells('if (position == wanted) { output[element] = bits; chosen[element] = i32(spatialIndex); }')}`,
);

/** Σa⁺ and Σa⁺² of stochastic-pool.ts's clampedSums; NaN sums where a cell is NaN or +Infinity (Q/S is NaN there). */
const clampedSumsWgsl = `
fn clampedSums(w: Window) -> vec2<f32> {
  var sums = vec2<f32>(0.0, 0.0);
  var poisoned = false;
  ${forCells(`if (isNanBits(bits) || bits == 0x7f800000u) { poisoned = true; }
    else if (value > 0.0) { sums = sums + vec2<f32>(value, value * value); }`)}
  if (poisoned) { return vec2<f32>(notANumber(), notANumber()); }
  return sums;
}`;

const stochasticInference = outputShader(
  [input, writes('output', 'f32')],
  `let sums = clampedSums(w);
  if (isNanBits(bitcast<u32>(sums.x))) { output[element] = sums.x; return; }
  output[element] = select(sums.y / sums.x, 0.0, sums.x == 0.0);`,
  clampedSumsWgsl,
);

const stochasticInferenceStats = outputShader(
  [input, writes('stats', 'f32')],
  `let sums = clampedSums(w);
  stats[element * 2u] = sums.x;
  stats[element * 2u + 1u] = sums.y;`,
  clampedSumsWgsl,
);

/** ∂y/∂a = (2a·S − Q)/S² for a ≥ 0; S = 0 sends the gradient to the window's first cell. */
const stochasticInferenceBackward = gatherShader(
  [input, reads('stats', 'f32'), ...gradients],
  `if (isNanBits(bits) || value < 0.0) { continue; }
        let total = ${stat(2, 0)};
        let gradient = gradOutput[outputIndex];
        if (isNanBits(bitcast<u32>(total))) { sum = sum + notANumber(); }
        else if (total == 0.0) {
          if (kernelSlice == w.low.x && kernelRow == w.low.y && kernelColumn == w.low.z) { sum = sum + gradient; }
        } else { sum = sum + (gradient * (2.0 * value * total - ${stat(2, 1)})) / (total * total); }`,
);

/** The chosen cell takes the gradient unless it is negative (or NaN). */
const stochasticBackward = gatherShader(
  [input, reads('chosen', 'i32'), ...gradients],
  `if (chosen[outputIndex] == i32(spatialIndex) && !isNanBits(bits) && value >= 0.0) { sum = sum + gradOutput[outputIndex]; }`,
);

const mixedForward = outputShader(
  [input, reads('alpha', 'f32'), writes('output', 'f32')],
  `let stats = windowStats(w);
  let mix = alpha[slotOf(arrayLength(&alpha), w)];
  output[element] = mix * stats.max + (1.0 - mix) * stats.mean;`,
  statsWgsl,
);

/** The max cell per window (for the gather) and ∂y/∂a = g·(max − mean) per window (summed by the host). */
const mixedStats = outputShader(
  [input, reads('gradOutput', 'f32'), writes('maxCells', 'i32'), writes('terms', 'f32')],
  `let stats = windowStats(w);
  maxCells[element] = stats.maxIndex;
  terms[element] = select(gradOutput[element] * (stats.max - stats.mean), 0.0, w.count == 0);`,
  statsWgsl,
);

const mixedBackward = gatherShader(
  [reads('alpha', 'f32'), reads('maxCells', 'i32'), ...gradients],
  `let mix = alpha[slotOf(arrayLength(&alpha), w)];
        let gradient = gradOutput[outputIndex];
        sum = sum + ((1.0 - mix) * gradient) / f32(w.count);
        if (maxCells[outputIndex] == i32(spatialIndex)) { sum = sum + mix * gradient; }`,
  { reads: false },
);

const gatedForward = outputShader(
  [input, reads('weights', 'f32'), writes('output', 'f32')],
  `let stats = windowStats(w);
  let base = select(w.channel * u32(taps()), 0u, arrayLength(&weights) == u32(taps()));
  var gateInput: f32 = 0.0;
  ${forCells('gateInput = gateInput + weights[base + u32(tap)] * value;')}
  let gate = 1.0 / (1.0 + exp(-gateInput));
  output[element] = gate * stats.max + (1.0 - gate) * stats.mean;`,
  statsWgsl,
);

/** Σ_r w_r·x_(r) over the window's cells, each weighted by its rank's weight (summed in window order). */
const ordinalForward = outputShader(
  [input, reads('weights', 'f32'), writes('output', 'f32')],
  `let base = select(w.channel * u32(taps()), 0u, arrayLength(&weights) == u32(taps()));
  var total: f32 = 0.0;
  ${forCells('total = total + weights[base + u32(rankOf(w, rankKey(bits), position))] * value;')}
  output[element] = total;`,
  rankWgsl,
);

/** Every kind shader by name: these and the formula kinds'. */
export const kindShaders: Readonly<Record<string, () => string>> = {
  ...formulaKindShaders,
  ...adaKindShaders,
  ...dppKindShaders,
  ...waveletKindShaders,
  ...tapKindShaders,
  ...regionKindShaders,
  ...sampleKindShaders,
  minKindForward: () => minForward,
  medianKindForward: () => medianForward,
  randomKindForward: () => randomForward,
  stochasticKindInference: () => stochasticInference,
  stochasticKindInferenceStats: () => stochasticInferenceStats,
  stochasticKindInferenceBackward: () => stochasticInferenceBackward,
  stochasticKindBackward: () => stochasticBackward,
  mixedKindForward: () => mixedForward,
  mixedKindStats: () => mixedStats,
  mixedKindBackward: () => mixedBackward,
  gatedKindForward: () => gatedForward,
  ordinalKindForward: () => ordinalForward,
};
