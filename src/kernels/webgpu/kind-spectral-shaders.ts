// The WGSL around spectral pooling's matrix products (kind-spectral-kernels.ts; the products are
// train-shaders.ts's matmul): a plane's flag when it holds NaN or ±Infinity (the reference's FFT then
// makes the whole plane NaN), the tensor's planes gathered into rows, the real part stored back in the
// tensor's layout divided by the input's cell count, and DiffStride's Σ over planes of Re(Z·conj(G)).
import { KindParam } from './kind-walk.js';
import { Param } from './params.js';
import { header, reads, storageBindings, writes } from './shader-common.js';

const helpersWgsl = `
/** The input's cell count N_in (float bits in the kind parameters). */
fn cellCount() -> f32 { return bitcast<f32>(params[${KindParam.coefficient}u]); }
fn planes() -> u32 { return pu(${Param.batch}u) * pu(${Param.channels}u); }
/** Element of cell 'cell' of plane 'plane' in a tensor of the call's layout with 'spatial' cells per plane. */
fn planeElement(plane: u32, cell: u32, spatial: u32) -> u32 {
  let strides = stridesOf(spatial);
  let channels = pu(${Param.channels}u);
  return (plane / channels) * strides.x + (plane % channels) * strides.y + cell * strides.z;
}`;

/** Per plane of `source` (inSpatial cells): flags[plane] becomes 1 where a cell is NaN or infinite (kept where already 1). */
const flags = `${header(storageBindings([reads('source', 'u32'), writes('flags', 'i32')]) + helpersWgsl)}
  var found = flags[element];
  for (var cell = 0u; cell < inSpatial(); cell++) {
    if ((source[planeElement(element, cell, inSpatial())] & 0x7f800000u) == 0x7f800000u) { found = 1; }
  }
  flags[element] = found;
}`;

/** rows[plane · cells + cell] = the tensor's cell (inSpatial cells per plane): a channels-last tensor's planes as rows. */
const planar = `${header(storageBindings([reads('source', 'f32'), writes('rows', 'f32')]) + helpersWgsl)}
  rows[element] = source[planeElement(element / inSpatial(), element % inSpatial(), inSpatial())];
}`;

/** The tensor's element (outSpatial cells per plane) from the spatial-major real part [cells, planes], / N_in; NaN in a flagged plane. */
const store = `${header(
  storageBindings([reads('real', 'f32'), reads('flags', 'i32'), writes('stored', 'f32')]) + helpersWgsl,
)}
  let at = locate(element, outSpatial());
  let plane = at.x * pu(${Param.channels}u) + at.y;
  let value = real[at.z * planes() + plane] / cellCount();
  stored[element] = select(value, bitcast<f32>(0x7fc00000u | (pu(0u) & 0u)), flags[plane] != 0);
}`;

/** DiffStride: per output cell Σ over planes (in order) of Re(Z·conj(G)) = Zre·Gre + Zim·Gim, both spatial-major; NaN from a flagged plane. */
const maskSums = `${header(
  storageBindings([
    reads('spectrumRe', 'f32'),
    reads('spectrumIm', 'f32'),
    reads('gradientRe', 'f32'),
    reads('gradientIm', 'f32'),
    reads('flags', 'i32'),
    writes('sums', 'f32'),
  ]) + helpersWgsl,
)}
  var sum: f32 = 0.0;
  for (var plane = 0u; plane < planes(); plane++) {
    let at = element * planes() + plane;
    let term = spectrumRe[at] * gradientRe[at] + spectrumIm[at] * gradientIm[at];
    sum = sum + select(term, bitcast<f32>(0x7fc00000u | (pu(0u) & 0u)), flags[plane] != 0);
  }
  sums[element] = sum;
}`;

export const spectralKindShaders: Readonly<Record<string, () => string>> = {
  spectralKindFlags: () => flags,
  spectralKindPlanar: () => planar,
  spectralKindStore: () => store,
  spectralKindMaskSums: () => maskSums,
};
