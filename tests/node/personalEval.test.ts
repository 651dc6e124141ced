/** The proof protocol: which of a writer's digits are corrected and which are measured. */
import { describe, expect, it } from 'vitest';
import type { PenDigit } from '../../src/core/drawing/pendigits';
import type { ReplayResult } from '../../src/node/drawnReplay';
import { errorRate, keptDigit, planWriter, writersWorstFirst } from '../../src/node/personalEval';

const result = (index: number, label: number, predicted: number, writer = 1): ReplayResult => ({
  digit: { label, writer, index, strokes: [[{ x: 100, y: 400 }, { x: 120, y: 100 }]] } as PenDigit,
  predicted,
  probabilities: null,
});

describe('planWriter', () => {
  it('corrects the first misread digits, at most 5 of each, and measures all the rest', () => {
    const results = [
      ...Array.from({ length: 7 }, (_, i) => result(i, 9, 4)), // seven misread 9s
      result(7, 9, 9),
      result(8, 1, 7),
      result(9, 1, 1),
    ];
    const { corrections, rest } = planWriter(results);
    expect(corrections.map((r) => r.digit.index)).toEqual([0, 1, 2, 3, 4, 8]);
    expect(rest.map((r) => r.digit.index)).toEqual([5, 6, 7, 9]);
    expect(errorRate(rest)).toBe(0.5);
  });

  it('ranks writers worst first, and keeps a digit as the pad would', () => {
    const ranked = writersWorstFirst([result(0, 1, 1, 3), result(1, 2, 5, 4), result(2, 3, 3, 4), result(3, 4, 4, 5)]);
    expect(ranked.map((w) => w.writer)).toEqual([4, 3, 5]);
    const kept = keptDigit(result(0, 1, 7).digit, 7);
    expect(kept).toMatchObject({ label: 1, predicted: 7 });
    expect(kept.image.length).toBe(784);
    expect(Math.max(...kept.image)).toBe(255);
    expect(kept.strokes[0][0].y).toBeCloseTo(280 * 0.2);
  });
});
