// Seeded randomness: every random choice in poolkit (initialisers, shuffles, stochastic pooling)
// draws from a Random made from a seed, so the same seed gives the same numbers.
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

/**
 * The generator's four state words, spread from the seed by SplitMix32 (Steele et al.'s mixer, the
 * seeding xoroshiro's authors advise). pure-rand's own seeding puts the seed into the state as it
 * is, and then nearby seeds start nearly alike: new Random(s).integer(4) was 3 for every s below
 * 2000, so a generator made per step (seed + step) drew the same first choice at every step.
 */
function seedState(seed: number): number[] {
  let counter = seed;
  const next = (): number => {
    counter = (counter + 0x9e3779b9) | 0;
    let mixed = counter;
    mixed = Math.imul(mixed ^ (mixed >>> 16), 0x85ebca6b);
    mixed = Math.imul(mixed ^ (mixed >>> 13), 0xc2b2ae35);
    return (mixed ^ (mixed >>> 16)) | 0;
  };
  const state = [next(), next(), next(), next()];
  return state.every((word) => word === 0) ? [1, 0, 0, 0] : state; // the all-zero state repeats forever
}

export class Random {
  private readonly generator: JumpableRandomGenerator;
  private spareNormal: number | null = null;

  constructor(readonly seed: number) {
    if (!Number.isInteger(seed)) throw new RangeError(`Random: seed must be an integer, got ${seed}`);
    this.generator = xoroshiro128plusFromState(seedState(seed | 0));
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return uniformFloat64(this.generator);
  }

  /** Uniform integer in [0, bound). */
  integer(bound: number): number {
    return Math.floor(this.uniform() * bound);
  }

  /** Standard normal (Box-Muller, both values used). */
  normal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Fisher-Yates shuffle of 0..count-1. */
  permutation(count: number): Int32Array {
    const order = new Int32Array(count);
    for (let index = 0; index < count; index++) order[index] = index;
    for (let index = count - 1; index > 0; index--) {
      const other = this.integer(index + 1);
      const swap = order[index]!;
      order[index] = order[other]!;
      order[other] = swap;
    }
    return order;
  }

  /** A generator independent of this one, for a sub-task that must not disturb this sequence. */
  fork(): Random {
    return new Random((this.integer(0x7fffffff) ^ this.seed) | 0);
  }
}
