// Masked pooling over the time axis of padded sequences [batch, time, features], reference kernels.
// Only steps whose mask byte is 1 count; a sequence with no valid step outputs 0 and gets no gradient.
// Max as max pooling (NaN propagates, first of ties); average divides by the valid count;
// Lp is (Σ |x|^p)^(1/p) over valid steps.

export interface MaskedGeometry {
  readonly batch: number;
  readonly time: number;
  readonly features: number;
}

export type MaskedReduction =
  { readonly kind: 'max' } | { readonly kind: 'average' } | { readonly kind: 'lp'; readonly p: number };

/** `mask` is [batch, time] (1 = a real step); `argmax` (max only) gets the chosen step, -1 when none. */
export function maskedPoolForward(
  input: Float32Array,
  mask: Uint8Array,
  output: Float32Array,
  argmax: Int32Array | null,
  geometry: MaskedGeometry,
  reduction: MaskedReduction,
): void {
  const { batch, time, features } = geometry;
  for (let sample = 0; sample < batch; sample++) {
    for (let feature = 0; feature < features; feature++) {
      let best = -Infinity;
      let bestStep = -1;
      let sum = 0;
      let count = 0;
      for (let step = 0; step < time; step++) {
        if (mask[sample * time + step] !== 1) continue;
        const value = input[(sample * time + step) * features + feature]!;
        count++;
        sum += reduction.kind === 'lp' ? Math.abs(value) ** reduction.p : value;
        if (bestStep < 0) bestStep = step;
        if (value > best || Number.isNaN(value)) [best, bestStep] = [value, step];
      }
      const outputIndex = sample * features + feature;
      if (argmax !== null) argmax[outputIndex] = bestStep;
      if (count === 0) output[outputIndex] = 0;
      else if (reduction.kind === 'max') output[outputIndex] = best;
      else if (reduction.kind === 'average') output[outputIndex] = sum / count;
      else output[outputIndex] = sum ** (1 / reduction.p);
    }
  }
}

/**
 * Max: gradient to the saved step; average: gradOutput/count to each valid step; Lp:
 * gradOutput·sign(x)·|x|^(p−1) / y^(p−1) (0 where y = 0). Padded steps get 0; gradInput zeroed first.
 */
export function maskedPoolBackward(
  input: Float32Array,
  mask: Uint8Array,
  output: Float32Array,
  argmax: Int32Array | null,
  gradOutput: Float32Array,
  gradInput: Float32Array,
  geometry: MaskedGeometry,
  reduction: MaskedReduction,
): void {
  const { batch, time, features } = geometry;
  for (let sample = 0; sample < batch; sample++) {
    let count = 0;
    for (let step = 0; step < time; step++) if (mask[sample * time + step] === 1) count++;
    for (let feature = 0; feature < features; feature++) {
      const outputIndex = sample * features + feature;
      const gradient = gradOutput[outputIndex]!;
      const pooled = output[outputIndex]!;
      for (let step = 0; step < time; step++) {
        const inputIndex = (sample * time + step) * features + feature;
        if (mask[sample * time + step] !== 1) continue;
        if (reduction.kind === 'max') {
          if (argmax![outputIndex] === step) gradInput[inputIndex]! += gradient;
        } else if (reduction.kind === 'average') {
          gradInput[inputIndex]! += gradient / count;
        } else if (pooled !== 0) {
          const value = input[inputIndex]!;
          gradInput[inputIndex]! +=
            (gradient * Math.sign(value) * Math.abs(value) ** (reduction.p - 1)) / pooled ** (reduction.p - 1);
        }
      }
    }
  }
}
