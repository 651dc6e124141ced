import { expect } from 'vitest';
import { makeRng } from '../../src/core/train/rng';

/** n seeded uniform values in [-1, 1). */
export function randomArray(n: number, seed: number): Float32Array {
  const rng = makeRng(seed);
  return Float32Array.from({ length: n }, () => rng() * 2 - 1);
}

/** Asserts same length and a largest error below relTol of the reference's largest magnitude. */
export function expectClose(got: Float32Array, want: Float32Array, relTol = 1e-4): void {
  expect(got.length).toBe(want.length);
  let maxErr = 0;
  let maxRef = 0;
  for (let i = 0; i < got.length; i++) {
    maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
    maxRef = Math.max(maxRef, Math.abs(want[i]));
  }
  expect(maxErr / Math.max(maxRef, 1e-12)).toBeLessThan(relTol);
}
