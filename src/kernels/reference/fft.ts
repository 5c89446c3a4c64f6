// A complex discrete Fourier transform of any length, for the spectral pooling kinds: mixed-radix
// Cooley–Tukey (decimation in time, as KISS FFT: radix-2 butterflies and a generic one for other
// primes) when every prime factor is small, Bluestein's chirp-z through a power-of-two transform
// otherwise. Unnormalised both ways: X[k] = Σ x[n]·e^(∓2πi·kn/N). Float64 throughout; plans
// (factors, twiddles, Bluestein's chirp) are cached per length.
import { forEachLine, type DenseSizes } from './extra/planes.js';

/** Prime factors above this go through Bluestein (a generic butterfly costs N·p). */
const LARGEST_DIRECT_FACTOR = 31;

export interface FftPlan {
  readonly length: number;
  /** In place on (re, im), the first `length` entries: the forward transform, or the inverse (e^(+…)). */
  transform(re: Float64Array, im: Float64Array, inverse: boolean): void;
}

function factorize(length: number): number[] {
  const factors: number[] = [];
  let rest = length;
  for (let factor = 2; rest > 1; factor++) {
    if (factor * factor > rest) factor = rest;
    while (rest % factor === 0) {
      factors.push(factor);
      rest /= factor;
    }
  }
  return factors;
}

/** The mixed-radix transform of a length whose prime factors are all small. */
class MixedRadixPlan implements FftPlan {
  private readonly factors: number[];
  private readonly twiddleRe: Float64Array;
  private readonly twiddleIm: Float64Array;
  private readonly outRe: Float64Array;
  private readonly outIm: Float64Array;
  private readonly scratchRe: Float64Array;
  private readonly scratchIm: Float64Array;

  constructor(readonly length: number) {
    this.factors = factorize(length);
    this.twiddleRe = Float64Array.from({ length }, (_, index) => Math.cos((-2 * Math.PI * index) / length));
    this.twiddleIm = Float64Array.from({ length }, (_, index) => Math.sin((-2 * Math.PI * index) / length));
    [this.outRe, this.outIm] = [new Float64Array(length), new Float64Array(length)];
    const largest = Math.max(1, ...this.factors);
    [this.scratchRe, this.scratchIm] = [new Float64Array(largest), new Float64Array(largest)];
  }

  transform(re: Float64Array, im: Float64Array, inverse: boolean): void {
    if (this.length === 1) return;
    const sign = inverse ? -1 : 1; // the inverse is the conjugate of the forward of the conjugate
    for (let index = 0; index < this.length; index++) im[index]! *= sign;
    this.work(0, re, im, 0, 1, 0, this.length);
    for (let index = 0; index < this.length; index++) {
      re[index] = this.outRe[index]!;
      im[index] = sign * this.outIm[index]!;
    }
  }

  /** out[offset … offset + n) = DFT of in[first], in[first + stride], …: split by the factor, recurse, combine. */
  private work(
    offset: number,
    re: Float64Array,
    im: Float64Array,
    first: number,
    stride: number,
    level: number,
    n: number,
  ) {
    const radix = this.factors[level]!;
    const span = n / radix;
    for (let part = 0; part < radix; part++) {
      if (span === 1) {
        this.outRe[offset + part] = re[first + part * stride]!;
        this.outIm[offset + part] = im[first + part * stride]!;
      } else this.work(offset + part * span, re, im, first + part * stride, stride * radix, level + 1, span);
    }
    if (radix === 2) this.butterfly2(offset, stride, span);
    else this.butterfly(offset, stride, span, radix);
  }

  private butterfly2(offset: number, stride: number, span: number): void {
    const re = this.outRe;
    const im = this.outIm;
    for (let index = 0; index < span; index++) {
      const top = offset + index;
      const bottom = top + span;
      const twiddleRe = this.twiddleRe[index * stride]!;
      const twiddleIm = this.twiddleIm[index * stride]!;
      const tRe = re[bottom]! * twiddleRe - im[bottom]! * twiddleIm;
      const tIm = re[bottom]! * twiddleIm + im[bottom]! * twiddleRe;
      re[bottom] = re[top]! - tRe;
      im[bottom] = im[top]! - tIm;
      re[top]! += tRe;
      im[top]! += tIm;
    }
  }

  /** KISS FFT's generic butterfly: each of the radix outputs sums all radix inputs, twiddled. */
  private butterfly(offset: number, stride: number, span: number, radix: number): void {
    const re = this.outRe;
    const im = this.outIm;
    const scratchRe = this.scratchRe;
    const scratchIm = this.scratchIm;
    const length = this.length;
    for (let index = 0; index < span; index++) {
      for (let part = 0; part < radix; part++) {
        scratchRe[part] = re[offset + index + part * span]!;
        scratchIm[part] = im[offset + index + part * span]!;
      }
      for (let part = 0; part < radix; part++) {
        const position = index + part * span;
        const step = (stride * position) % length;
        let sumRe = scratchRe[0]!;
        let sumIm = scratchIm[0]!;
        let twiddle = 0;
        for (let term = 1; term < radix; term++) {
          twiddle += step;
          if (twiddle >= length) twiddle -= length;
          sumRe += scratchRe[term]! * this.twiddleRe[twiddle]! - scratchIm[term]! * this.twiddleIm[twiddle]!;
          sumIm += scratchRe[term]! * this.twiddleIm[twiddle]! + scratchIm[term]! * this.twiddleRe[twiddle]!;
        }
        re[offset + position] = sumRe;
        im[offset + position] = sumIm;
      }
    }
  }
}

/** Bluestein: X[k] = w[k]·Σ_n (x[n]·w[n])·conj(w[k − n]), w[n] = e^(−πi·n²/N), the sum a convolution. */
class BluesteinPlan implements FftPlan {
  private readonly inner: FftPlan;
  private readonly chirpRe: Float64Array;
  private readonly chirpIm: Float64Array;
  private readonly kernelRe: Float64Array;
  private readonly kernelIm: Float64Array;
  private readonly workRe: Float64Array;
  private readonly workIm: Float64Array;

  constructor(readonly length: number) {
    const size = 2 ** Math.ceil(Math.log2(2 * length - 1));
    this.inner = fftPlan(size);
    // n² mod 2N keeps the angle small, so large n lose no precision.
    const angle = (index: number) => (-Math.PI * ((index * index) % (2 * length))) / length;
    this.chirpRe = Float64Array.from({ length }, (_, index) => Math.cos(angle(index)));
    this.chirpIm = Float64Array.from({ length }, (_, index) => Math.sin(angle(index)));
    [this.kernelRe, this.kernelIm] = [new Float64Array(size), new Float64Array(size)];
    for (let index = 0; index < length; index++) {
      this.kernelRe[index] = this.chirpRe[index]!;
      this.kernelIm[index] = -this.chirpIm[index]!;
      if (index > 0)
        [this.kernelRe[size - index], this.kernelIm[size - index]] = [this.chirpRe[index]!, -this.chirpIm[index]!];
    }
    this.inner.transform(this.kernelRe, this.kernelIm, false);
    [this.workRe, this.workIm] = [new Float64Array(size), new Float64Array(size)];
  }

  transform(re: Float64Array, im: Float64Array, inverse: boolean): void {
    const sign = inverse ? -1 : 1;
    const [workRe, workIm, size] = [this.workRe, this.workIm, this.workRe.length];
    workRe.fill(0);
    workIm.fill(0);
    for (let index = 0; index < this.length; index++) {
      const valueRe = re[index]!;
      const valueIm = sign * im[index]!;
      workRe[index] = valueRe * this.chirpRe[index]! - valueIm * this.chirpIm[index]!;
      workIm[index] = valueRe * this.chirpIm[index]! + valueIm * this.chirpRe[index]!;
    }
    this.inner.transform(workRe, workIm, false);
    for (let index = 0; index < size; index++) {
      const valueRe = workRe[index]!;
      const valueIm = workIm[index]!;
      workRe[index] = valueRe * this.kernelRe[index]! - valueIm * this.kernelIm[index]!;
      workIm[index] = valueRe * this.kernelIm[index]! + valueIm * this.kernelRe[index]!;
    }
    this.inner.transform(workRe, workIm, true);
    for (let index = 0; index < this.length; index++) {
      const valueRe = workRe[index]! / size;
      const valueIm = workIm[index]! / size;
      re[index] = valueRe * this.chirpRe[index]! - valueIm * this.chirpIm[index]!;
      im[index] = sign * (valueRe * this.chirpIm[index]! + valueIm * this.chirpRe[index]!);
    }
  }
}

const plans = new Map<number, FftPlan>();

/** The cached plan for complex DFTs of `length` (a positive integer). */
export function fftPlan(length: number): FftPlan {
  let plan = plans.get(length);
  if (plan === undefined) {
    const direct = factorize(length).every((factor) => factor <= LARGEST_DIRECT_FACTOR);
    plan = direct ? new MixedRadixPlan(length) : new BluesteinPlan(length);
    plans.set(length, plan);
  }
  return plan;
}

/** The DFT (or inverse) along `axis` of a dense row-major complex array of [depth, height, width]. */
export function transformAxis(
  re: Float64Array,
  im: Float64Array,
  sizes: DenseSizes,
  axis: number,
  inverse: boolean,
): void {
  const length = sizes[axis]!;
  if (length === 1) return;
  const plan = fftPlan(length);
  const [lineRe, lineIm] = [new Float64Array(length), new Float64Array(length)];
  forEachLine(sizes, axis, (first, step) => {
    for (let index = 0; index < length; index++) {
      lineRe[index] = re[first + index * step]!;
      lineIm[index] = im[first + index * step]!;
    }
    plan.transform(lineRe, lineIm, inverse);
    for (let index = 0; index < length; index++) {
      re[first + index * step] = lineRe[index]!;
      im[first + index * step] = lineIm[index]!;
    }
  });
}
