/**
 * Chooses a model's unsure rule (./unsure.ts) on digits it was not tested on,
 * and measures how the rule does on a set of drawings.
 *
 * Not a digit: each of the three tests may call at most 0.1% of the validation
 * digits not a digit (so at most 0.3% in all). Nothing else is chosen on
 * non-digits: any drawing that is not a digit is a fair test of the rule.
 *
 * Unsure: the lowest margin at which the answers still given as sure are wrong
 * at most half as often as the model is on all of the validation split. Half,
 * because the model's most confident mistakes (ambiguous writing, MNIST's own
 * label errors) cannot be caught without hedging on many right answers: a
 * higher bar flags several times more digits for each further mistake caught.
 */
import { judge, type Evidence, type UnsureRule } from './unsure';

export const NOT_A_DIGIT_BUDGET = 0.001;

/** One prediction: the evidence the rule reads and the true digit (-1 for a drawing that is no digit). */
export interface Sample {
  evidence: Evidence;
  label: number;
}

const wrong = (s: Sample) => s.evidence.top[0] !== s.label;

/** The value that at most `share` of `values` exceed. */
function ceiling(values: number[], share: number): number {
  const sorted = values.slice().sort((a, b) => b - a);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))];
}

export function chooseRule(validation: Sample[]): UnsureRule {
  const ev = validation.map((s) => s.evidence);
  const inkAndSpread = {
    minTopTwo: -ceiling(ev.map((e) => -e.topTwo), NOT_A_DIGIT_BUDGET),
    maxHoles: ceiling(ev.map((e) => e.holes), NOT_A_DIGIT_BUDGET),
    maxAspect: ceiling(ev.map((e) => e.aspect), NOT_A_DIGIT_BUDGET),
  };
  const target = validation.filter(wrong).length / validation.length / 2;
  const rest = validation
    .filter((s) => judge(s.evidence, { ...inkAndSpread, minMargin: 0 }).kind !== 'not-a-digit')
    .sort((a, b) => a.evidence.margin - b.evidence.margin);
  // Raise the margin past one prediction at a time; `errors` counts the wrong ones still given as sure.
  let errors = rest.filter(wrong).length;
  for (let k = 0; k < rest.length; k++) {
    const margin = rest[k].evidence.margin;
    if ((k === 0 || margin !== rest[k - 1].evidence.margin) && errors <= target * (rest.length - k)) return { minMargin: margin, ...inkAndSpread };
    if (wrong(rest[k])) errors--;
  }
  return { minMargin: Infinity, ...inkAndSpread };
}

export interface RuleFigures {
  count: number;
  /** Shares of the set the rule calls unsure, not a digit, and either. */
  unsure: number;
  notADigit: number;
  fires: number;
  /** Wrong answers among those given as sure, and among all answers without the rule. */
  wrongWhenSure: number;
  wrongWithoutRule: number;
}

export function ruleFigures(samples: Sample[], rule: UnsureRule): RuleFigures {
  let [unsure, notADigit, sure, wrongSure] = [0, 0, 0, 0];
  for (const s of samples) {
    const v = judge(s.evidence, rule);
    if (v.kind === 'unsure') unsure++;
    else if (v.kind === 'not-a-digit') notADigit++;
    else {
      sure++;
      if (wrong(s)) wrongSure++;
    }
  }
  const n = samples.length;
  return {
    count: n,
    unsure: unsure / n,
    notADigit: notADigit / n,
    fires: (unsure + notADigit) / n,
    wrongWhenSure: sure ? wrongSure / sure : NaN,
    wrongWithoutRule: samples.filter(wrong).length / n,
  };
}
