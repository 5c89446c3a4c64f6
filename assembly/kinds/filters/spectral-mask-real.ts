// DiffStride's mask gradient (reference: spectralMaskBackward) for ranks 1-2 where both axes' crop
// matrices are real (spectral-real.ts), with no spectrum: for the width axis, bin d gets
// Re Σ_{w,l} e^{−2πi·bin(d)·w/in}·e^{+2πi·d·l/out}·S[w][l] / N_in, where S[w][l] = Σ_{h,c} x[h][w][c]·U[h][l][c]
// and U = M_hᵀ·g (M_h the height axis's forward crop matrix, its mask included); the height axis the same
// way with V = g·M_w, and the (size 1) depth axis Σ_d m_w(d)·(width bin d's gradient). Real products only:
// about a third of the work of the two spectra Z and G the reference multiplies.
import { currentThreadSlot } from '../../shared/thread-slot';
import { CHANNELS, FILTERS_BYTES, IN_SIZE, OUT_SIZE, SCRATCH, SCRATCH_SLOT_BYTES, SOURCE, TABLES, TARGET, pointer, word } from './arguments';
import { FLAGS, loadSample } from './spectral';
import { applyAxisFolded, dotRows } from './spectral-real';

/** Per-sample partials: 1 + IN_SIZE height + IN_SIZE width f64 (depth, height, width). */
const PARTIALS = 10;

/**
 * Samples [firstUnit, endUnit). Tables (f64): M_hᵀ [inH×outH], M_wᵀ [inW×outW] (folded: applyAxisFolded), then the crop DFT
 * [2×outH×inH] and output DFT [2×outH×outH] of the height axis, the same two of the width axis, then
 * the height axis's input bins, the width axis's input bins and weights (outH, outW, outW).
 */
export function spectralMaskRealSamples(block: usize, firstUnit: i32, endUnit: i32): void {
  const channels = word(block, CHANNELS);
  const padded = (channels + 1) & ~1;
  const inH = word(block, IN_SIZE + 1);
  const inW = word(block, IN_SIZE + 2);
  const outH = word(block, OUT_SIZE + 1);
  const outW = word(block, OUT_SIZE + 2);
  const divisor = load<f64>(block + FILTERS_BYTES);
  const lane = <usize>padded << 3;
  const x = pointer(block, SCRATCH) + <usize>currentThreadSlot() * <usize>word(block, SCRATCH_SLOT_BYTES);
  const g = x + <usize>(inH * inW) * lane;
  const u = g + <usize>(outH * outW) * lane;
  const v = u + <usize>(inH * outW) * lane;
  const sumsW = v + <usize>(outH * inW) * lane;
  const sumsH = sumsW + (<usize>(inW * outW) << 3);
  const fold = sumsH + (<usize>(inH * outH) << 3); // a line of g's size
  const heightMatrix = pointer(block, TABLES);
  const widthMatrix = heightMatrix + (<usize>(inH * outH) << 3);
  const heightDft = widthMatrix + (<usize>(inW * outW) << 3);
  const widthDft = heightDft + (<usize>(2 * outH * inH + 2 * outH * outH) << 3);
  const heightBins = widthDft + (<usize>(2 * outW * inW + 2 * outW * outW) << 3);
  const widthBins = heightBins + (<usize>outH << 3);
  const widthWeights = widthBins + (<usize>outW << 3);
  for (let sample = firstUnit; sample < endUnit; sample++) {
    let finite = loadSample(block, SOURCE, IN_SIZE, sample, x, channels, padded);
    finite = loadSample(block, TARGET, OUT_SIZE, sample, g, channels, padded) && finite;
    store<i32>(pointer(block, FLAGS) + (<usize>sample << 2), finite ? 0 : 1);
    const partials = pointer(block, PARTIALS) + ((<usize>sample * <usize>(1 + inH + inW)) << 3);
    memory.fill(partials, 0, <usize>(1 + inH + inW) << 3);
    if (!finite) continue;
    // U = M_hᵀ·g [inH][outW][lanes]; S_w[w][l] = Σ_h x[h][w]·U[h][l]
    applyAxisFolded(heightMatrix, inH, outH, 1, outW * padded, g, u, fold);
    dotRows(x, inW, lane, <usize>inW * lane, u, outW, lane, <usize>outW * lane, inH, padded >> 1, sumsW);
    // V = g·M_w [outH][inW][lanes]; S_h[h][j] = x[h]·V[j] over whole rows
    applyAxisFolded(widthMatrix, inW, outW, outH, padded, g, v, fold);
    dotRows(x, inH, <usize>inW * lane, 0, v, outH, <usize>inW * lane, 0, 1, (inW * padded) >> 1, sumsH);
    const depthPartial = contract(widthDft, sumsW, inW, outW, widthBins, widthWeights, partials + (<usize>(1 + inH) << 3), divisor);
    contract(heightDft, sumsH, inH, outH, heightBins, 0, partials + 8, divisor);
    store<f64>(partials, depthPartial);
  }
}

/**
 * partials[bin(d)] = Re Σ_{a,b} F_in[d][a]·conj(F_out[d][b])·sums[a][b] / divisor for the `outSize`
 * kept bins d; returns Σ_d weight_d · partial (0 without weights).
 */
function contract(dft: usize, sums: usize, inSize: i32, outSize: i32, bins: usize, weights: usize, partials: usize, divisor: f64): f64 {
  const inReal = dft;
  const inImaginary = inReal + (<usize>(outSize * inSize) << 3);
  const outReal = inImaginary + (<usize>(outSize * inSize) << 3);
  const outImaginary = outReal + (<usize>(outSize * outSize) << 3);
  let weighted: f64 = 0;
  for (let bin = 0; bin < outSize; bin++) {
    let value: f64 = 0;
    for (let a = 0; a < inSize; a++) {
      let real: f64 = 0;
      let imaginary: f64 = 0;
      for (let b = 0; b < outSize; b++) {
        const sum = load<f64>(sums + ((<usize>(a * outSize + b)) << 3));
        real += load<f64>(outReal + ((<usize>(bin * outSize + b)) << 3)) * sum;
        imaginary -= load<f64>(outImaginary + ((<usize>(bin * outSize + b)) << 3)) * sum;
      }
      const at = (<usize>(bin * inSize + a)) << 3;
      value += load<f64>(inReal + at) * real - load<f64>(inImaginary + at) * imaginary;
    }
    value /= divisor;
    const target = partials + (<usize><i32>load<f64>(bins + (<usize>bin << 3)) << 3);
    store<f64>(target, load<f64>(target) + value);
    if (weights) weighted += load<f64>(weights + (<usize>bin << 3)) * value;
  }
  return weighted;
}
