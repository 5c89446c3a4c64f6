// The WGSL of attention pooling (attention-pool.ts) beyond the sample products: the softmax's
// largest logit and total per sample (and, backward, the weighted score average), the weighted
// average of the cells, the logits' gradient and the input gradient. A sample whose mean is not
// finite (a NaN or ±Infinity cell) outputs NaN, as the reference's arithmetic does.
import { Param } from './params.js';
import { finiteSampleWgsl, sampleWgsl } from './kind-matrix-shaders.js';
import { header, reads, storageBindings, writes, type StorageArray } from './shader-common.js';

/** The softmax weight of cell `cell` of `sample` from the logits and the stats (largest, total, ...). */
const weightWgsl = (width: number) => `
fn attentionWeight(sample: u32, cell: u32) -> f32 {
  let logit = logits[sample * inSpatial() + cell];
  return exp(logit - stats[sample * ${width}u]) / stats[sample * ${width}u + 1u];
}`;

/**
 * Per sample: the largest logit (NaN wins, as the reference's reduce) and Σ exp(logit − largest);
 * with scores, also Σ_s a_s·score_s (the softmax backward's average).
 */
function softmax(withScores: boolean): string {
  const width = withScores ? 3 : 2;
  const bindings: StorageArray[] = [reads('logits', 'f32'), writes('stats', 'f32')];
  if (withScores) bindings.splice(1, 0, reads('scores', 'f32'));
  const average = `
  var average: f32 = 0.0;
  for (var cell = 0u; cell < cells; cell++) { average = average + attentionWeight(element, cell) * scores[element * cells + cell]; }
  stats[element * 3u + 2u] = average;`;
  return `${header(sampleWgsl + storageBindings(bindings))}
  let cells = inSpatial();
  var largest = bitcast<f32>(0xff800000u | (pu(0u) & 0u));
  for (var cell = 0u; cell < cells; cell++) {
    let logit = logits[element * cells + cell];
    if (isNanBits(bitcast<u32>(logit)) || logit > largest) { largest = logit; }
  }
  var total: f32 = 0.0;
  for (var cell = 0u; cell < cells; cell++) { total = total + exp(logits[element * cells + cell] - largest); }
  stats[element * ${width}u] = largest;
  stats[element * ${width}u + 1u] = total;
  ${withScores ? average : ''}
}
${weightWgsl(width)}`;
}

/** y[sample, channel] = Σ_s a_s·x_s[channel]; NaN for a sample with a NaN or infinite cell. */
const forward = `${header(
  sampleWgsl +
    storageBindings([
      reads('input', 'f32'),
      reads('mean', 'f32'),
      reads('logits', 'f32'),
      reads('stats', 'f32'),
      writes('output', 'f32'),
    ]),
)}
  let cells = inSpatial();
  let strides = stridesOf(cells);
  let channels = pu(${Param.channels}u);
  let sample = element / channels;
  let base = sample * strides.x + (element % channels) * strides.y;
  var sum: f32 = 0.0;
  for (var cell = 0u; cell < cells; cell++) { sum = sum + attentionWeight(sample, cell) * input[base + cell * strides.z]; }
  output[element] = select(runtimeNan(), sum, sampleIsFinite(sample));
}
${weightWgsl(2)}
${finiteSampleWgsl}`;

/** ∂logit_s = a_s·(score_s − Σ_t a_t·score_t)/√C, per (sample, cell). */
const logitGradient = `${header(
  sampleWgsl +
    storageBindings([
      reads('logits', 'f32'),
      reads('scores', 'f32'),
      reads('stats', 'f32'),
      writes('gradLogits', 'f32'),
    ]),
)}
  let cells = inSpatial();
  let sample = element / cells;
  let weight = attentionWeight(sample, element % cells);
  gradLogits[element] = weight * (scores[element] - stats[sample * 3u + 2u]) * sampleScale();
}
${weightWgsl(3)}`;

/** ∂x_s[c] = a_s·g[c] + ∂logit_s·(W_k·q)[c] + (W_q·∂q)[c] / n: the values, the keys and the mean. */
const inputGradient = `${header(
  sampleWgsl +
    storageBindings([
      reads('logits', 'f32'),
      reads('stats', 'f32'),
      reads('gradOutput', 'f32'),
      reads('gradLogits', 'f32'),
      reads('keyQuery', 'f32'),
      reads('throughMean', 'f32'),
      writes('gradInput', 'f32'),
    ]),
)}
  let cells = inSpatial();
  let at = locate(element, cells);
  let vector = at.x * pu(${Param.channels}u) + at.y;
  let cell = at.x * cells + at.z;
  gradInput[element] = attentionWeight(at.x, at.z) * gradOutput[vector] + gradLogits[cell] * keyQuery[vector]
    + throughMean[vector] / f32(cells);
}
${weightWgsl(3)}`;

export const attentionKindShaders: Readonly<Record<string, () => string>> = {
  attentionSoftmax: () => softmax(false),
  attentionSoftmaxScores: () => softmax(true),
  attentionForward: () => forward,
  attentionLogitGradient: () => logitGradient,
  attentionInputGradient: () => inputGradient,
};
