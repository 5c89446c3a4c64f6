// The WGSL of covariance pooling (covariance-pool.ts) beyond the sample products: the centred cells,
// the trace normalisation (Y₀ = Σ/tr Σ, Z₀ = I), the upper triangle of √(tr Σ)·Y_N, and backward the
// triangle's gradient, the trace's and the input's. A sample with a NaN or infinite cell outputs NaN;
// one whose trace is 0 outputs zeros and passes a zero gradient, as the reference.
import { Param } from './params.js';
import { finiteSampleWgsl, sampleWgsl } from './kind-matrix-shaders.js';
import { header, reads, storageBindings, writes } from './shader-common.js';

/** Matrix sizes, and the triangle's (row, column) of a feature and the feature of an upper (row, column). */
const triangleWgsl = `
fn channelCount() -> u32 { return pu(${Param.channels}u); }
fn features() -> u32 { return channelCount() * (channelCount() + 1u) / 2u; }
fn featureOf(row: u32, column: u32) -> u32 { return row * channelCount() - row * (row - 1u) / 2u + column - row; }
fn cellOfFeature(feature: u32) -> vec2<u32> {
  var rest = feature;
  var row = 0u;
  while (rest >= channelCount() - row) { rest -= channelCount() - row; row++; }
  return vec2<u32>(row, row + rest);
}`;

/** centred[sample, channel, cell] (dense) = x − the channel's mean. */
const centred = `${header(sampleWgsl + storageBindings([reads('input', 'f32'), reads('mean', 'f32'), writes('centred', 'f32')]))}
  let cells = inSpatial();
  let strides = stridesOf(cells);
  let plane = element / cells;
  let channels = pu(${Param.channels}u);
  centred[element] = input[(plane / channels) * strides.x + (plane % channels) * strides.y + (element % cells) * strides.z] - mean[plane];
}`;

/** Per (sample, row, column): tr Σ (kept per sample), Y₀ = Σ/tr Σ and Z₀ = I. */
const normalise = `${header(
  sampleWgsl +
    storageBindings([
      reads('sigma', 'f32'),
      writes('traces', 'f32'),
      writes('normalised', 'f32'),
      writes('identity', 'f32'),
    ]),
)}
  let size = pu(${Param.channels}u);
  let sample = element / (size * size);
  var trace: f32 = 0.0;
  for (var index = 0u; index < size; index++) { trace = trace + sigma[(sample * size + index) * size + index]; }
  if (element % (size * size) == 0u) { traces[sample] = trace; }
  normalised[element] = sigma[element] / trace;
  identity[element] = select(0.0, 1.0, (element / size) % size == element % size);
}`;

/** The sample's triangle of √(tr Σ)·Y_N: NaN for a non-finite sample, 0 where tr Σ = 0. */
const forward = `${header(
  sampleWgsl +
    storageBindings([reads('mean', 'f32'), reads('traces', 'f32'), reads('root', 'f32'), writes('output', 'f32')]) +
    triangleWgsl,
)}
  let sample = element / features();
  let at = cellOfFeature(element % features());
  let trace = traces[sample];
  var value = sqrt(trace) * root[(sample * channelCount() + at.x) * channelCount() + at.y];
  if (trace == 0.0) { value = 0.0; }
  output[element] = select(runtimeNan(), value, sampleIsFinite(sample));
}
${finiteSampleWgsl}`;

/** ∂Y_N: √(tr Σ)·g on the upper triangle, 0 below it. */
const rootGradient = `${header(
  sampleWgsl +
    storageBindings([reads('traces', 'f32'), reads('gradOutput', 'f32'), writes('gradRoot', 'f32')]) +
    triangleWgsl,
)}
  let size = channelCount();
  let sample = element / (size * size);
  let row = (element / size) % size;
  let column = element % size;
  var value: f32 = 0.0;
  if (column >= row) { value = sqrt(traces[sample]) * gradOutput[sample * features() + featureOf(row, column)]; }
  gradRoot[element] = value;
}`;

/** Per sample: ∂tr Σ = Σ_triangle g·Y_N/(2√tr) − Σ ∂A·Σ/tr² (the post-compensation's and A = Σ/tr's). */
const traceGradient = `${header(
  sampleWgsl +
    storageBindings([
      reads('traces', 'f32'),
      reads('gradOutput', 'f32'),
      reads('root', 'f32'),
      reads('gradNormalised', 'f32'),
      reads('sigma', 'f32'),
      writes('gradTraces', 'f32'),
    ]) +
    triangleWgsl,
)}
  let size = channelCount();
  let trace = traces[element];
  let scale = sqrt(trace);
  var sum: f32 = 0.0;
  for (var feature = 0u; feature < features(); feature++) {
    let at = cellOfFeature(feature);
    sum = sum + gradOutput[element * features() + feature] * root[(element * size + at.x) * size + at.y] / (2.0 * scale);
  }
  for (var index = element * size * size; index < (element + 1u) * size * size; index++) {
    sum = sum - gradNormalised[index] * sigma[index] / (trace * trace);
  }
  gradTraces[element] = sum;
}`;

/** ∂x = (∂Σ + ∂Σᵀ)·Xc / n with ∂Σ = ∂A/tr + ∂tr·I; 0 where tr Σ = 0. */
const inputGradient = `${header(
  sampleWgsl +
    storageBindings([
      reads('centred', 'f32'),
      reads('traces', 'f32'),
      reads('gradTraces', 'f32'),
      reads('gradNormalised', 'f32'),
      writes('gradInput', 'f32'),
    ]),
)}
  let cells = inSpatial();
  let at = locate(element, cells);
  let size = pu(${Param.channels}u);
  let trace = traces[at.x];
  let matrix = at.x * size * size;
  var sum: f32 = 0.0;
  for (var other = 0u; other < size; other++) {
    let diagonal = select(0.0, gradTraces[at.x], other == at.y);
    let forwardTerm = gradNormalised[matrix + at.y * size + other] / trace + diagonal;
    let backwardTerm = gradNormalised[matrix + other * size + at.y] / trace + diagonal;
    sum = sum + (forwardTerm + backwardTerm) * centred[(at.x * size + other) * cells + at.z];
  }
  gradInput[element] = select(sum / f32(cells), 0.0, trace == 0.0);
}`;

export const covarianceKindShaders: Readonly<Record<string, () => string>> = {
  covarianceCentred: () => centred,
  covarianceNormalise: () => normalise,
  covarianceForward: () => forward,
  covarianceRootGradient: () => rootGradient,
  covarianceTraceGradient: () => traceGradient,
  covarianceInputGradient: () => inputGradient,
};
