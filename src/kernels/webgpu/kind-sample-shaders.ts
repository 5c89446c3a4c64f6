// Every shader of the per-sample kinds (attention, covariance, masked sequence pooling) by name,
// with the batched small-matrix product and the mean they share.
import { attentionKindShaders } from './kind-attention-shaders.js';
import { covarianceKindShaders } from './kind-covariance-shaders.js';
import { maskedKindShaders } from './kind-masked-shaders.js';
import { matrixShaders } from './kind-matrix-shaders.js';

export const sampleKindShaders: Readonly<Record<string, () => string>> = {
  ...matrixShaders,
  ...attentionKindShaders,
  ...covarianceKindShaders,
  ...maskedKindShaders,
};
