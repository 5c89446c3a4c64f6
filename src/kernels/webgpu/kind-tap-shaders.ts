// The WGSL of the tap-weighted kinds' backward passes (gated pooling's gate weights, ordinal
// pooling's rank weights): ∂x as a gather over the windows holding a cell, ∂weights with one
// invocation per weight that adds its windows' terms in walk order (the order the reference adds in).
import { forCells, gatherShader, outputShader, rankWgsl, statsWgsl, weightShader } from './kind-walk.js';
import { Param } from './params.js';
import { reads, writes } from './shader-common.js';

const input = reads('input', 'u32');
const weights = reads('weights', 'f32');

/** Where a window's weights start: 0 for one shared row, else its channel's row. */
const weightBase = 'select(w.channel * u32(taps()), 0u, arrayLength(&weights) == u32(taps()))';

const tapWgsl = `
/** The input element at tap 't' of window 'w', or -1 where that tap lies outside the input. */
fn tapCell(w: Window, t: i32) -> i32 {
  let kernelHeight = p(${Param.kernelDepth + 1}u);
  let kernelWidth = p(${Param.kernelDepth + 2}u);
  let k = vec3<i32>(t / (kernelHeight * kernelWidth), (t / kernelWidth) % kernelHeight, t % kernelWidth);
  if (any(k < w.low) || any(k >= w.high)) { return -1; }
  let dilation = vec3<i32>(p(${Param.dilationDepth}u), p(${Param.dilationDepth + 1}u), p(${Param.dilationDepth + 2}u));
  let first = w.first + k * dilation;
  let spatial = (first.x * p(${Param.inHeight}u) + first.y) * p(${Param.inWidth}u) + first.z;
  return i32(w.inBase + u32(spatial) * w.inStride);
}`;

/** Per window: gradGate = g·(max − mean)·s(1 − s), the mean's share (1 − s)·g/n and the max's s·g; the max cell apart. */
const gatedStats = outputShader(
  [input, weights, reads('gradOutput', 'f32'), writes('stats', 'f32'), writes('maxCells', 'i32')],
  `let window = windowStats(w);
  let base = ${weightBase};
  var gateInput: f32 = 0.0;
  ${forCells('gateInput = gateInput + weights[base + u32(tap)] * value;')}
  let gate = 1.0 / (1.0 + exp(-gateInput));
  let gradient = gradOutput[element];
  stats[element * 3u] = gradient * (window.max - window.mean) * gate * (1.0 - gate);
  stats[element * 3u + 1u] = ((1.0 - gate) * gradient) / f32(w.count);
  stats[element * 3u + 2u] = gate * gradient;
  maxCells[element] = window.maxIndex;`,
  statsWgsl,
);

/** ∂x: the mean's share plus gradGate·w_tap from every window, the max's s·g from those it is the max of. */
const gatedBackward = gatherShader(
  [weights, reads('stats', 'f32'), reads('maxCells', 'i32'), writes('gradInput', 'f32')],
  `sum = sum + (stats[outputIndex * 3u + 1u] + stats[outputIndex * 3u] * weights[${weightBase} + u32(tap)]);
        if (maxCells[outputIndex] == i32(spatialIndex)) { sum = sum + stats[outputIndex * 3u + 2u]; }`,
  { reads: false },
);

/** ∂w_tap = Σ over windows of gradGate·x at that tap. */
const gatedWeights = weightShader(
  [input, weights, reads('stats', 'f32'), writes('gradWeights', 'f32')],
  `let at = tapCell(w, weightTap);
        if (at >= 0) { sum = sum + stats[outputIndex * 3u] * bitcast<f32>(input[u32(at)]); }`,
  tapWgsl,
);

/** ∂x of ordinal pooling: g·w_r for the cell's rank r in each window holding it. */
const ordinalBackward = gatherShader(
  [input, weights, reads('gradOutput', 'f32'), writes('gradInput', 'f32')],
  `let k = vec3<i32>(kernelSlice, kernelRow, kernelColumn);
        let position = ((k.x - w.low.x) * (w.high.y - w.low.y) + (k.y - w.low.y)) * (w.high.z - w.low.z) + (k.z - w.low.z);
        sum = sum + gradOutput[outputIndex] * weights[${weightBase} + u32(rankOf(w, rankKey(bits), position))];`,
  { functions: rankWgsl },
);

/** ∂w_r = Σ over windows of g·x_(r), the window's r-th value in rank order. */
const ordinalWeights = weightShader(
  [input, weights, reads('gradOutput', 'f32'), writes('gradWeights', 'f32')],
  `if (weightTap < w.count) {
          ${forCells('if (rankOf(w, rankKey(bits), position) == weightTap) { sum = sum + gradOutput[outputIndex] * value; }')}
        }`,
  rankWgsl,
);

export const tapKindShaders: Readonly<Record<string, () => string>> = {
  gatedKindStats: () => gatedStats,
  gatedKindBackward: () => gatedBackward,
  gatedKindWeights: () => gatedWeights,
  ordinalKindBackward: () => ordinalBackward,
  ordinalKindWeights: () => ordinalWeights,
};
