// The extra pooling kernels (stochastic, random, mixed, gated, fractional, pyramid, masked, LSTM) as
// one typed table. Only the reference backend implements them for now; a fast backend would
// provide an object of the same type and extraKernel() would pick it, as kernel() does.
import { fractionalMaxPoolForward } from './fractional-max-pool.js';
import { gatedPoolBackward, gatedPoolForward } from './gated-pool.js';
import { lstmCellBackward, lstmCellForward, lstmGatherStep, lstmScatterStep, lstmWindowTable } from './lstm-batched.js';
import { lstmPoolBackward, lstmPoolForward } from './lstm-pool.js';
import { maskedPoolBackward, maskedPoolForward } from './masked-pool.js';
import { mixedPoolBackward, mixedPoolForward } from './mixed-pool.js';
import { inBoundsAverageBackward, inBoundsAverageForward, randomPoolForward } from './random-pool.js';
import { sppBackward, sppForward } from './spatial-pyramid-pool.js';
import {
  stochasticPoolBackward,
  stochasticPoolForward,
  stochasticPoolInference,
  stochasticPoolInferenceBackward,
} from './stochastic-pool.js';

export const referenceExtraKernels = {
  stochasticPoolForward,
  stochasticPoolBackward,
  stochasticPoolInference,
  stochasticPoolInferenceBackward,
  randomPoolForward,
  inBoundsAverageForward,
  inBoundsAverageBackward,
  mixedPoolForward,
  mixedPoolBackward,
  gatedPoolForward,
  gatedPoolBackward,
  fractionalMaxPoolForward,
  sppForward,
  sppBackward,
  maskedPoolForward,
  maskedPoolBackward,
  lstmPoolForward,
  lstmPoolBackward,
  lstmWindowTable,
  lstmGatherStep,
  lstmScatterStep,
  lstmCellForward,
  lstmCellBackward,
};

export type ExtraKernels = typeof referenceExtraKernels;
export type ExtraKernelName = keyof ExtraKernels;

let active: Partial<ExtraKernels> = {};

/** Installs faster versions of some extra kernels; the rest stay the reference ones. */
export function setExtraKernels(kernels: Partial<ExtraKernels>): void {
  active = kernels;
}

/** The extra kernel `name`: the installed fast one if any, else the reference one. */
export function extraKernel<Name extends ExtraKernelName>(name: Name): ExtraKernels[Name] {
  return (active[name] ?? referenceExtraKernels[name]) as ExtraKernels[Name];
}

export type { FractionalGeometry } from './fractional-max-pool.js';
export type { SppGeometry, SppMode } from './spatial-pyramid-pool.js';
export type { MaskedGeometry, MaskedReduction } from './masked-pool.js';
export type { LstmPoolGeometry } from './lstm-pool.js';
export type { LstmWeights } from './lstm-step.js';
