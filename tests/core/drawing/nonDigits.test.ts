import { describe, expect, it } from 'vitest';
import { nonDigitSet, NON_DIGIT_KINDS } from '../../../src/core/drawing/nonDigits';
import { drawOnPad, PAD_SIZE } from '../../../src/core/drawing/strokeRaster';

describe('non-digit drawings', () => {
  it('are the same set for the same seed, and another set for another', () => {
    expect(nonDigitSet(3)).toEqual(nonDigitSet(3));
    expect(nonDigitSet(3, 2)).not.toEqual(nonDigitSet(3));
  });

  it('hold every kind, each drawn differently, on the pad', () => {
    const set = nonDigitSet(4);
    expect(set).toHaveLength(4 * NON_DIGIT_KINDS.length);
    expect(new Set(set.map((d) => d.category))).toEqual(new Set(['letter', 'shape', 'scribble', 'line']));
    for (const { kind } of NON_DIGIT_KINDS) {
      const of = set.filter((d) => d.kind === kind);
      expect(of).toHaveLength(4);
      expect(new Set(of.map((d) => JSON.stringify(d.strokes))).size).toBe(4);
    }
    for (const d of set) {
      for (const p of d.strokes.flat()) {
        expect(p.x).toBeGreaterThanOrEqual(0);
        expect(p.x).toBeLessThanOrEqual(PAD_SIZE);
        expect(p.y).toBeGreaterThanOrEqual(0);
        expect(p.y).toBeLessThanOrEqual(PAD_SIZE);
      }
      expect(drawOnPad(d.strokes).empty).toBe(false);
    }
  });
});
