// Spectral pooling's crop (and DiffStride's masked crop) as per-axis complex matrix products, forward
// and backward alike (reference: src/kernels/reference/extra/spectral-pool.ts, through FFTs): along
// each axis, M[j][k] = Σ_b e^{+2πi·b·j/out}·w_b·e^{−2πi·bin(b)·k/in} (the DFT, the kept bins with
// their mask weights, the inverse DFT; the TypeScript side tabulates it, or its transpose's form
// for the backward), applied width, height, depth in f64, then the real part divided by the input's
// cell count. Vectorized over the cells after the axis and the channels (f64x2; channels padded to
// an even count). Sums run in another order than the FFT's (the kinds' tolerance). A sample holding
// a non-finite value raises its flag: the FFT's exact zero twiddles decide its NaNs, so the
// TypeScript side runs the reference kernel on it.
import { currentThreadSlot } from '../../shared/thread-slot';
import { CHANNELS, FILTERS_BYTES, IN_SIZE, OUT_SIZE, SAMPLES, SCRATCH, SCRATCH_SLOT_BYTES, SOURCE, TABLES, TARGET, pointer, word } from './arguments';

/** Spatial axes the rank has (the last `RANK` of depth, height, width). */
const RANK = 8;
/** One i32 flag per sample. */
const FLAGS = 9;

@inline function sizeOf(block: usize, field: i32, axis: i32): i32 {
  return word(block, field + axis);
}

/** Source cells → f64 buffer [cells, paddedChannels] (padding lanes 0); false when a value is not finite. */
function loadSample(block: usize, sample: i32, target: usize, channels: i32, padded: i32): bool {
  const cells = sizeOf(block, IN_SIZE, 0) * sizeOf(block, IN_SIZE, 1) * sizeOf(block, IN_SIZE, 2);
  const source = pointer(block, SOURCE) + ((<usize>sample * <usize>cells * <usize>channels) << 2);
  let finite = true;
  for (let cell = 0; cell < cells; cell++) {
    for (let channel = 0; channel < padded; channel++) {
      const value: f64 = channel < channels ? <f64>load<f32>(source + ((<usize>cell * <usize>channels + <usize>channel) << 2)) : 0;
      if (value - value != 0) finite = false;
      store<f64>(target + ((<usize>cell * <usize>padded + <usize>channel) << 3), value);
    }
  }
  return finite;
}

/**
 * Along `axis` of a [sizes] buffer of `padded` lanes per cell: target[.., j, ..] = Σ_k M[j][k]·source[.., k, ..],
 * complex (sourceImaginary 0: a real source), M being `length`×sizes[axis] (real parts, then imaginary).
 */
function applyAxis(
  matrix: usize, length: i32, count: i32, outer: i32, inner: i32,
  sourceReal: usize, sourceImaginary: usize, targetReal: usize, targetImaginary: usize,
): void {
  const imaginaryPart = matrix + ((<usize>length * <usize>count) << 3);
  const lineBytes = <usize>inner << 3;
  for (let line = 0; line < outer; line++) {
    const sourceLine = <usize>line * <usize>count * lineBytes;
    const targetLine = <usize>line * <usize>length * lineBytes;
    for (let j = 0; j < length; j++) {
      const row = matrix + ((<usize>j * <usize>count) << 3);
      const imaginaryRow = imaginaryPart + ((<usize>j * <usize>count) << 3);
      for (let lane: usize = 0; lane < lineBytes; lane += 16) {
        let real = f64x2.splat(0);
        let imaginary = f64x2.splat(0);
        let at = sourceLine + lane;
        for (let k = 0; k < count; k++, at += lineBytes) {
          const matrixReal = f64x2.splat(load<f64>(row + (<usize>k << 3)));
          const matrixImaginary = f64x2.splat(load<f64>(imaginaryRow + (<usize>k << 3)));
          const valueReal = v128.load(sourceReal + at);
          real = f64x2.add(real, f64x2.mul(matrixReal, valueReal));
          imaginary = f64x2.add(imaginary, f64x2.mul(matrixImaginary, valueReal));
          if (sourceImaginary) {
            const valueImaginary = v128.load(sourceImaginary + at);
            real = f64x2.sub(real, f64x2.mul(matrixImaginary, valueImaginary));
            imaginary = f64x2.add(imaginary, f64x2.mul(matrixReal, valueImaginary));
          }
        }
        v128.store(targetReal + targetLine + (<usize>j * lineBytes) + lane, real);
        v128.store(targetImaginary + targetLine + (<usize>j * lineBytes) + lane, imaginary);
      }
    }
  }
}

/** Samples [firstUnit, endUnit): source [IN_SIZE] → target [OUT_SIZE] through the axes' matrices. */
export function spectralSamples(block: usize, firstUnit: i32, endUnit: i32): void {
  const channels = word(block, CHANNELS);
  const padded = (channels + 1) & ~1;
  const rank = word(block, RANK);
  const slot = pointer(block, SCRATCH) + <usize>currentThreadSlot() * <usize>word(block, SCRATCH_SLOT_BYTES);
  const bufferBytes = <usize>word(block, SCRATCH_SLOT_BYTES) >> 2;
  const divisor = load<f64>(block + FILTERS_BYTES);
  for (let sample = firstUnit; sample < endUnit; sample++) {
    let real = slot;
    let imaginary = slot + bufferBytes;
    let otherReal = slot + 2 * bufferBytes;
    let otherImaginary = slot + 3 * bufferBytes;
    const finite = loadSample(block, sample, real, channels, padded);
    store<i32>(pointer(block, FLAGS) + (<usize>sample << 2), finite ? 0 : 1);
    if (!finite) continue;
    let hasImaginary = false;
    let matrix = pointer(block, TABLES);
    // Sizes so far: the axes already applied have their output length.
    let depth = sizeOf(block, IN_SIZE, 0);
    let height = sizeOf(block, IN_SIZE, 1);
    let width = sizeOf(block, IN_SIZE, 2);
    for (let axis = 2; axis >= 3 - rank; axis--) {
      const count = axis == 0 ? depth : axis == 1 ? height : width;
      const length = sizeOf(block, OUT_SIZE, axis);
      const outer = axis == 0 ? 1 : axis == 1 ? depth : depth * height;
      const inner = (axis == 2 ? 1 : axis == 1 ? width : height * width) * padded;
      applyAxis(matrix, length, count, outer, inner, real, hasImaginary ? imaginary : 0, otherReal, otherImaginary);
      matrix += (<usize>length * <usize>count) << 4;
      if (axis == 0) depth = length;
      else if (axis == 1) height = length;
      else width = length;
      hasImaginary = true;
      let swap = real;
      real = otherReal;
      otherReal = swap;
      swap = imaginary;
      imaginary = otherImaginary;
      otherImaginary = swap;
    }
    const cells = depth * height * width;
    const target = pointer(block, TARGET) + ((<usize>sample * <usize>cells * <usize>channels) << 2);
    for (let cell = 0; cell < cells; cell++)
      for (let channel = 0; channel < channels; channel++) {
        const value = load<f64>(real + ((<usize>cell * <usize>padded + <usize>channel) << 3)) / divisor;
        store<f32>(target + ((<usize>cell * <usize>channels + <usize>channel) << 2), <f32>value);
      }
  }
}
