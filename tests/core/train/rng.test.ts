import { describe, expect, it } from 'vitest';
import { makeRng, shuffledIndices, uniform } from '../../../src/core/train/rng';

describe('seeded randomness', () => {
  it('repeats for the same seed and differs across seeds and streams', () => {
    const a = makeRng(42);
    const b = makeRng(42);
    const seqA = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(seqA);
    const c = makeRng(42, 1);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(seqA);
    for (const v of seqA) expect(v >= 0 && v < 1).toBe(true);
  });

  it('shuffles into a permutation, the same for the same seed', () => {
    const p = shuffledIndices(1000, makeRng(7));
    expect(Array.from(p).sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(shuffledIndices(1000, makeRng(7)))).toEqual(Array.from(p));
    expect(Array.from(shuffledIndices(1000, makeRng(8)))).not.toEqual(Array.from(p));
  });

  it('draws uniformly within the bounds', () => {
    const rng = makeRng(1);
    let sum = 0;
    for (let i = 0; i < 10000; i++) {
      const v = uniform(rng, -2, 4);
      expect(v >= -2 && v < 4).toBe(true);
      sum += v;
    }
    expect(sum / 10000).toBeCloseTo(1, 1);
  });
});
