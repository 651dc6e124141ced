import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULES, LearningRateSchedule } from '../../../src/core/train/schedule';

describe('learning-rate schedules', () => {
  it('reduce-on-plateau multiplies by 0.2 after 2 epochs without improvement', () => {
    const s = new LearningRateSchedule(DEFAULT_SCHEDULES.plateau, 1e-3, 30, 100);
    expect(s.rateAt(0, 0)).toBe(1e-3);
    expect(s.endEpoch(0.5)).toBe(false);
    expect(s.endEpoch(0.4)).toBe(false);
    expect(s.endEpoch(0.45)).toBe(false);
    expect(s.endEpoch(0.41)).toBe(true);
    expect(s.rateAt(4, 0)).toBeCloseTo(2e-4);
    expect(s.endEpoch(0.42)).toBe(false);
    expect(s.endEpoch(0.43)).toBe(true);
    expect(s.rateAt(6, 0)).toBeCloseTo(4e-5);
  });

  it('plateau state survives a checkpoint round trip', () => {
    const s = new LearningRateSchedule(DEFAULT_SCHEDULES.plateau, 1e-3, 30, 100);
    s.endEpoch(0.5);
    s.endEpoch(0.6);
    const copy = new LearningRateSchedule(DEFAULT_SCHEDULES.plateau, 1e-3, 30, 100, JSON.parse(JSON.stringify(s.state)));
    expect(copy.endEpoch(0.7)).toBe(true);
  });

  it('exponential decay falls smoothly by the factor per epoch', () => {
    const s = new LearningRateSchedule({ kind: 'exponential', decayPerEpoch: 0.5 }, 1, 10, 4);
    expect(s.rateAt(0, 0)).toBe(1);
    expect(s.rateAt(0, 2)).toBeCloseTo(Math.SQRT1_2);
    expect(s.rateAt(2, 0)).toBeCloseTo(0.25);
  });

  it('cosine warms up, peaks at the base rate and ends near the floor', () => {
    const s = new LearningRateSchedule({ kind: 'cosine', warmupEpochs: 1, finalFraction: 0.01 }, 1, 11, 10);
    expect(s.rateAt(0, 0)).toBeCloseTo(0.1);
    expect(s.rateAt(1, 0)).toBeCloseTo(1);
    expect(s.rateAt(6, 0)).toBeCloseTo(0.505);
    expect(s.rateAt(10, 9)).toBeLessThan(0.02);
  });

  it('one-cycle rises to the base rate, then anneals', () => {
    const s = new LearningRateSchedule(DEFAULT_SCHEDULES.onecycle, 1e-2, 4, 100);
    expect(s.rateAt(0, 0)).toBeCloseTo(1e-2 / 25);
    expect(s.rateAt(1, 0)).toBeCloseTo(1e-2);
    expect(s.rateAt(3, 99)).toBeLessThan(1e-4);
    for (let e = 1; e < 4; e++) expect(s.rateAt(e, 50)).toBeLessThanOrEqual(s.rateAt(e, 0));
  });

  it('rejects a non-positive rate', () => {
    expect(() => new LearningRateSchedule(DEFAULT_SCHEDULES.constant, 0, 1, 1)).toThrow(/must be positive/);
  });
});
