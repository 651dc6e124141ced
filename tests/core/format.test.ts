import { describe, expect, it } from 'vitest';
import { formatDuration, pct } from '../../src/core/format';

describe('formatDuration', () => {
  it('reads in seconds, minutes or hours', () => {
    expect(formatDuration(4.4)).toBe('4 s');
    expect(formatDuration(65)).toBe('1 min 5 s');
    expect(formatDuration(2 * 3600 + 14 * 60 + 10)).toBe('2 h 14 min');
  });

  it('has no answer for an unknown time and none below zero', () => {
    expect(formatDuration(Infinity)).toBe('–');
    expect(formatDuration(NaN)).toBe('–');
    expect(formatDuration(-3)).toBe('0 s');
  });
});

describe('pct', () => {
  it('gives two decimals', () => {
    expect(pct(0.99664)).toBe('99.66%');
    expect(pct(1)).toBe('100.00%');
  });
});
