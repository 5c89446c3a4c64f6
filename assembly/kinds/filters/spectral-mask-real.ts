// DiffStride's mask gradient (reference: spectralMaskBackward) for ranks 1-2 where both axes' crop
// matrices are real (spectral-real.ts), with no spectrum: for the width axis, bin d gets
// Re Σ_{w,l} e^{−2πi·bin(d)·w/in}·e^{+2πi·d·l/out}·S[w][l] / N_in, where S[w][l] = Σ_{h,c} x[h][w][c]·U[h][l][c]
// and U = M_hᵀ·g (M_h the height axis's forward crop matrix, its mask included); the height axis the same
// way with V = g·M_w, and the (size 1) depth axis Σ_d m_w(d)·(width bin d's gradient). Real products only:
// about a third of the work of the two spectra Z and G the reference multiplies, halved again by
// folding (both crop products and both S's through ± pairs of rows: see spectralMaskRealSamples).
import { currentThreadSlot } from '../../shared/thread-slot';
import { CHANNELS, FILTERS_BYTES, IN_SIZE, OUT_SIZE, SCRATCH, SCRATCH_SLOT_BYTES, SOURCE, TABLES, TARGET, pointer, word } from './arguments';
import { FLAGS } from './spectral';
import { loadSample } from './spectral-samples';
import { applyAxisFolded, dotRows, foldLine } from './spectral-real';

/** Per-sample partials: 1 + IN_SIZE height + IN_SIZE width f64 (depth, height, width). */
const PARTIALS = 10;

/**
 * Samples [firstUnit, endUnit). Tables (f64): M_hᵀ [inH×outH], M_wᵀ [inW×outW] (folded: applyAxisFolded),
 * then the height axis's and the width axis's folded contractions (contractFolded: per kept bin d,
 * (⌊in/2⌋ + 1)(⌊out/2⌋ + 1) + (⌈in/2⌉ − 1)(⌈out/2⌉ − 1) coefficients), then the height axis's input
 * bins, the width axis's input bins and weights (outH, outW, outW). Each S is taken folded: the
 * contraction with Re(F_in·conj F_out), even under (a, b) → (−a, −b), sees only the even⊗even and
 * odd⊗odd parts of x and U (V), so S's sums of folded rows (foldLine) give it with half the products.
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
  const xAlongWidth = fold + <usize>(outH * outW) * lane;
  const xAlongHeight = xAlongWidth + <usize>(inH * inW) * lane;
  const uFolded = xAlongHeight + <usize>(inH * inW) * lane;
  const vFolded = uFolded + <usize>(inH * outW) * lane;
  const heightMatrix = pointer(block, TABLES);
  const widthMatrix = heightMatrix + (<usize>(inH * outH) << 3);
  const heightContraction = widthMatrix + (<usize>(inW * outW) << 3);
  const widthContraction = heightContraction + (<usize>(outH * foldedTerms(inH, outH)) << 3);
  const heightBins = widthContraction + (<usize>(outW * foldedTerms(inW, outW)) << 3);
  const widthBins = heightBins + (<usize>outH << 3);
  const widthWeights = widthBins + (<usize>outW << 3);
  const rowBytes = <usize>inW * lane;
  for (let sample = firstUnit; sample < endUnit; sample++) {
    let finite = loadSample(block, SOURCE, IN_SIZE, sample, x, channels, padded);
    finite = loadSample(block, TARGET, OUT_SIZE, sample, g, channels, padded) && finite;
    store<i32>(pointer(block, FLAGS) + (<usize>sample << 2), finite ? 0 : 1);
    const partials = pointer(block, PARTIALS) + ((<usize>sample * <usize>(1 + inH + inW)) << 3);
    memory.fill(partials, 0, <usize>(1 + inH + inW) << 3);
    if (!finite) continue;
    // U = M_hᵀ·g [inH][outW][lanes]; S_w[w][l] = Σ_h x[h][w]·U[h][l], folded along w and l
    applyAxisFolded(heightMatrix, inH, outH, 1, outW * padded, g, u, fold);
    for (let h = 0; h < inH; h++) {
      foldLine(x + <usize>h * rowBytes, inW, inW / 2 + 1, lane, xAlongWidth + <usize>h * rowBytes);
      foldLine(u + <usize>(h * outW) * lane, outW, outW / 2 + 1, lane, uFolded + <usize>(h * outW) * lane);
    }
    foldedDots(xAlongWidth, inW, lane, rowBytes, uFolded, outW, lane, <usize>outW * lane, inH, padded >> 1, sumsW);
    // V = g·M_w [outH][inW][lanes]; S_h[h][j] = x[h]·V[j] over whole rows, folded along h and j
    applyAxisFolded(widthMatrix, inW, outW, outH, padded, g, v, fold);
    foldLine(x, inH, inH / 2 + 1, rowBytes, xAlongHeight);
    foldLine(v, outH, outH / 2 + 1, rowBytes, vFolded);
    foldedDots(xAlongHeight, inH, rowBytes, 0, vFolded, outH, rowBytes, 0, 1, (inW * padded) >> 1, sumsH);
    const depthPartial = contractFolded(widthContraction, sumsW, foldedTerms(inW, outW), outW, widthBins, widthWeights, partials + (<usize>(1 + inH) << 3), divisor);
    contractFolded(heightContraction, sumsH, foldedTerms(inH, outH), outH, heightBins, 0, partials + 8, divisor);
    store<f64>(partials, depthPartial);
  }
}

/** The folded contraction's terms per bin: even rows × even columns, then odd × odd. */
@inline function foldedTerms(inSize: i32, outSize: i32): i32 {
  return (inSize / 2 + 1) * (outSize / 2 + 1) + (inSize - inSize / 2 - 1) * (outSize - outSize / 2 - 1);
}

/** dotRows of the even rows (sums) against the even rows, then of the odd against the odd, into one list. */
function foldedDots(a: usize, sizeA: i32, rowBytesA: usize, batchBytesA: usize, b: usize, sizeB: i32, rowBytesB: usize, batchBytesB: usize, batches: i32, vectors: i32, sums: usize): void {
  const evenA = sizeA / 2 + 1;
  const evenB = sizeB / 2 + 1;
  dotRows(a, evenA, rowBytesA, batchBytesA, b, evenB, rowBytesB, batchBytesB, batches, vectors, sums);
  const oddA = a + <usize>evenA * rowBytesA;
  const oddB = b + <usize>evenB * rowBytesB;
  const oddSums = sums + ((<usize>evenA * <usize>evenB) << 3);
  dotRows(oddA, sizeA - evenA, rowBytesA, batchBytesA, oddB, sizeB - evenB, rowBytesB, batchBytesB, batches, vectors, oddSums);
}

/**
 * partials[bin(d)] = Σ_t coefficients[d][t]·sums[t] / divisor for the `outSize` kept bins d (`terms`
 * per bin); returns Σ_d weight_d · partial (0 without weights).
 */
function contractFolded(coefficients: usize, sums: usize, terms: i32, outSize: i32, bins: usize, weights: usize, partials: usize, divisor: f64): f64 {
  let weighted: f64 = 0;
  for (let bin = 0; bin < outSize; bin++) {
    const row = coefficients + ((<usize>bin * <usize>terms) << 3);
    let value: f64 = 0;
    for (let term = 0; term < terms; term++) value += load<f64>(row + (<usize>term << 3)) * load<f64>(sums + (<usize>term << 3));
    value /= divisor;
    const target = partials + (<usize><i32>load<f64>(bins + (<usize>bin << 3)) << 3);
    store<f64>(target, load<f64>(target) + value);
    if (weights) weighted += load<f64>(weights + (<usize>bin << 3)) * value;
  }
  return weighted;
}
