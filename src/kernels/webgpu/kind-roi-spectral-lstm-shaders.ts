// The shaders of RoI pooling, RoIAlign, spectral pooling (and DiffStride's mask) and LSTM pooling,
// gathered for shaders.ts's one registration line (their kernels: kind-roi-spectral-lstm-kernels.ts).
import { roiKindShaders } from './kind-roi-shaders.js';
import { spectralKindShaders } from './kind-spectral-shaders.js';
import { lstmKindShaders } from './kind-lstm-shaders.js';

export const roiSpectralLstmShaders: Readonly<Record<string, () => string>> = {
  ...roiKindShaders,
  ...spectralKindShaders,
  ...lstmKindShaders,
};
