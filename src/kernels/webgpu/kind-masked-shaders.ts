// The WGSL of masked sequence pooling (masked-pool.ts) over [batch, time, features] with a mask per
// (sample, step): max on float bits (NaN propagates, first of ties: visitMax), average over the valid
// count, Lp ((Σ|x|^p)^(1/p)); backward per input element, padded steps untouched, as the reference.
import { Param } from './params.js';
import { header, reads, storageBindings, writes } from './shader-common.js';

/** Positions after the pooling block (batch is Param.batch, Lp's p Param.power). */
export const MaskedParam = {
  time: Param.count,
  features: Param.count + 1,
  mode: Param.count + 2,
  count: Param.count + 3,
};

/** Reduction modes as the parameter holds them. */
export const MASKED_MODES = { max: 0, average: 1, lp: 2 } as const;

const sizesWgsl = `
fn steps() -> u32 { return pu(${MaskedParam.time}u); }
fn featureCount() -> u32 { return pu(${MaskedParam.features}u); }
fn mode() -> i32 { return p(${MaskedParam.mode}u); }`;

/** One invocation per (sample, feature): the valid steps in order; 0 (and argmax −1) where there is none. */
const forward = `${header(
  sizesWgsl +
    storageBindings([reads('mask', 'i32'), reads('input', 'u32'), writes('output', 'u32'), writes('argmax', 'i32')]),
)}
  let sample = element / featureCount();
  let feature = element % featureCount();
  let exponent = power();
  var state = startMax();
  var sum: f32 = 0.0;
  var count = 0;
  for (var step = 0u; step < steps(); step++) {
    if (mask[sample * steps() + step] != 1) { continue; }
    let bits = input[(sample * steps() + step) * featureCount() + feature];
    count++;
    let value = bitcast<f32>(bits);
    sum = sum + select(value, powerTerm(abs(value), exponent), mode() == ${MASKED_MODES.lp});
    visitMax(&state, bits, i32(step));
  }
  argmax[element] = state.index;
  var result = 0u;
  if (count > 0 && mode() == ${MASKED_MODES.max}) { result = state.bits; }
  if (count > 0 && mode() == ${MASKED_MODES.average}) { result = bitcast<u32>(sum / f32(count)); }
  if (count > 0 && mode() == ${MASKED_MODES.lp}) { result = bitcast<u32>(lpRoot(sum, exponent)); }
  output[element] = result;
}`;

/** One invocation per input element: its share added to gradInput; padded steps untouched. */
const backward = `${header(
  sizesWgsl +
    storageBindings([
      reads('mask', 'i32'),
      reads('input', 'f32'),
      reads('output', 'f32'),
      reads('argmax', 'i32'),
      reads('gradOutput', 'f32'),
      writes('gradInput', 'f32'),
    ]),
)}
  let row = element / featureCount();
  let sample = row / steps();
  let outputIndex = sample * featureCount() + element % featureCount();
  if (mask[row] != 1) { return; }
  let gradient = gradOutput[outputIndex];
  if (mode() == ${MASKED_MODES.max}) {
    if (argmax[outputIndex] == i32(row % steps())) { gradInput[element] = gradInput[element] + gradient; }
    return;
  }
  if (mode() == ${MASKED_MODES.average}) {
    var count = 0;
    for (var step = 0u; step < steps(); step++) { if (mask[sample * steps() + step] == 1) { count++; } }
    gradInput[element] = gradInput[element] + gradient / f32(count);
    return;
  }
  let pooled = output[outputIndex];
  // pooled != 0 on the bits: a float comparison with NaN is one WGSL lets a GPU get wrong.
  if ((bitcast<u32>(pooled) & 0x7fffffffu) == 0u) { return; }
  let exponent = power();
  let value = input[element];
  var local = sign(value) * powerTerm(abs(value), exponent - 1.0);
  if (exponent == 2.0 || isNanBits(bitcast<u32>(value))) { local = value; }
  let share = select(gradient / powerTerm(pooled, exponent - 1.0), gradient, exponent == 1.0) * local;
  gradInput[element] = gradInput[element] + share;
}`;

export const maskedKindShaders: Readonly<Record<string, () => string>> = {
  maskedKindForward: () => forward,
  maskedKindBackward: () => backward,
};
