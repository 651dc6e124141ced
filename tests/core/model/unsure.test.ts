import { describe, expect, it } from 'vitest';
import { aspect, countHoles, evidence, judge, parseUnsureRule, type Evidence } from '../../../src/core/model/unsure';
import { chooseRule, ruleFigures, type Sample } from '../../../src/core/model/unsureChoice';

/** A 28x28 image with ink where `at(x, y)` says. */
const image = (at: (x: number, y: number) => boolean) => Float32Array.from({ length: 784 }, (_, i) => (at(i % 28, Math.floor(i / 28)) ? 1 : 0));
/** The outline of a rectangle, `w` pixels thick. */
const frame = (x0: number, y0: number, x1: number, y1: number, w = 2) => (x: number, y: number) =>
  x >= x0 && x <= x1 && y >= y0 && y <= y1 && (x < x0 + w || x > x1 - w || y < y0 + w || y > y1 - w);
const probs = (...pairs: [number, number][]) => {
  const p = new Array(10).fill(0);
  for (const [d, v] of pairs) p[d] = v;
  return p;
};
const RULE = { minMargin: 0.5, minTopTwo: 0.8, maxHoles: 3, maxAspect: 1.5 };
const ev = (e: Partial<Evidence>): Evidence => ({ top: [4, 9], margin: 0.9, topTwo: 1, holes: 0, aspect: 0.7, ...e });

describe('unsure rule', () => {
  it('reads the top two digits, how far apart and how much they hold together', () => {
    const e = evidence(probs([4, 0.55], [9, 0.35], [7, 0.1]), image(() => false));
    expect(e.top).toEqual([4, 9]);
    expect(e.margin).toBeCloseTo(0.2, 6);
    expect(e.topTwo).toBeCloseTo(0.9, 6);
    expect(evidence(probs([0, 0.4], [1, 0.4], [2, 0.2]), image(() => false)).top).toEqual([0, 1]);
    expect(evidence(probs([3, 0.1], [8, 0.9]), image(() => false)).top).toEqual([8, 3]);
  });

  it('counts the paper the ink encloses, not paper open to the border', () => {
    expect(countHoles(image(() => false))).toBe(0);
    expect(countHoles(image(frame(5, 5, 20, 20)))).toBe(1);
    const eight = (x: number, y: number) => frame(8, 2, 18, 13)(x, y) || frame(8, 12, 18, 25)(x, y);
    expect(countHoles(image(eight))).toBe(2);
    expect(countHoles(image((x, y) => frame(5, 5, 20, 20)(x, y) && !(y > 10 && y < 14 && x < 8)))).toBe(0);
    // A ring against the image's edge still encloses its inside.
    expect(countHoles(image(frame(0, 0, 27, 27)))).toBe(1);
  });

  it('measures how much wider than tall the ink is', () => {
    expect(aspect(image(() => false))).toBe(0);
    expect(aspect(image((x, y) => x >= 4 && x < 24 && y >= 13 && y < 15))).toBe(10);
    expect(aspect(image((x, y) => x >= 12 && x < 16 && y >= 4 && y < 24))).toBe(0.2);
  });

  it('calls a drawing not a digit, unsure between two, or sure', () => {
    expect(judge(ev({}), RULE)).toEqual({ kind: 'sure', digit: 4 });
    expect(judge(ev({ margin: 0.3 }), RULE)).toEqual({ kind: 'unsure', digits: [4, 9] });
    expect(judge(ev({ topTwo: 0.7 }), RULE)).toEqual({ kind: 'not-a-digit' });
    expect(judge(ev({ holes: 4 }), RULE)).toEqual({ kind: 'not-a-digit' });
    expect(judge(ev({ aspect: 2 }), RULE)).toEqual({ kind: 'not-a-digit' });
    // At the thresholds themselves the rule does not fire.
    expect(judge(ev({ margin: 0.5, topTwo: 0.8, holes: 3, aspect: 1.5 }), RULE).kind).toBe('sure');
  });

  it('reads a rule from unsure.json and says what is missing', () => {
    expect(parseUnsureRule({ ...RULE, chosenOn: 'x', weightsSha256: 'y' })).toEqual(RULE);
    expect(() => parseUnsureRule({ minMargin: 0.5, maxHoles: '3' })).toThrow('unsure.json needs finite numbers for minTopTwo, maxHoles, maxAspect');
    expect(() => parseUnsureRule(null)).toThrow('needs finite numbers');
  });
});

describe('choosing the rule', () => {
  // 1,000 digits: 20 read wrong, with margins 0.01 to 0.2, and 980 read right, with margins spread over 0.07 to 1.
  const samples: Sample[] = Array.from({ length: 1000 }, (_, i) => {
    const miss = i < 20;
    return { label: miss ? 9 : 4, evidence: ev({ margin: miss ? 0.01 * (i + 1) : 0.05 + (0.95 * i) / 1000, topTwo: 1 - i / 1e4, holes: i % 5 === 0 ? 2 : 0, aspect: i / 1000 }) };
  });

  it('lets each not-a-digit test flag at most 0.1% of the validation digits', () => {
    const rule = chooseRule(samples);
    const f = ruleFigures(samples, rule);
    expect(f.notADigit).toBeLessThanOrEqual(0.003);
    expect(rule.maxHoles).toBe(2);
    expect(samples.filter((s) => s.evidence.aspect > rule.maxAspect)).toHaveLength(1);
    expect(samples.filter((s) => s.evidence.topTwo < rule.minTopTwo)).toHaveLength(1);
  });

  it('raises the margin until the answers given as sure are wrong at most half as often as all answers', () => {
    const rule = chooseRule(samples);
    const f = ruleFigures(samples, rule);
    expect(f.wrongWithoutRule).toBe(0.02);
    expect(f.wrongWhenSure).toBeLessThanOrEqual(0.01);
    // The lowest such margin: one step lower, too many mistakes get through.
    const lower = Math.max(...samples.map((s) => s.evidence.margin).filter((m) => m < rule.minMargin));
    expect(ruleFigures(samples, { ...rule, minMargin: lower }).wrongWhenSure).toBeGreaterThan(0.01);
    expect(f.fires).toBe(f.unsure + f.notADigit);
  });

  it('flags nothing as unsure for a model that makes no mistakes', () => {
    const right = samples.map((s) => ({ ...s, label: 4 }));
    expect(ruleFigures(right, chooseRule(right)).unsure).toBe(0);
  });
});
