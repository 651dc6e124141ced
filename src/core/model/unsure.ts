/**
 * When a prediction should not be stated as sure: the model hesitates between
 * two digits ("4 or 9?"), or the drawing does not look like a digit at all.
 * The thresholds are data chosen for each model on MNIST's validation images
 * (src/core/model/unsureChoice.ts, `npm run eval:unsure`) and stored beside its
 * weights as unsure.json, so the rule follows the model it was measured on.
 */
import { IMAGE_SIZE } from '../data/mnist';

export const UNSURE_FILE = 'unsure.json';

export interface UnsureRule {
  /** Unsure between the top two digits when their probabilities are closer than this. */
  minMargin: number;
  /** Not a digit when the top two together hold less than this: no digit, nor a pair of them, explains the drawing. */
  minTopTwo: number;
  /** Not a digit with more enclosed holes than this (an 8 has two; MNIST's blots add a few). */
  maxHoles: number;
  /** Not a digit when the ink is more than this many times wider than tall (MNIST's digits are upright). */
  maxAspect: number;
}

export type Verdict = { kind: 'sure'; digit: number } | { kind: 'unsure'; digits: [number, number] } | { kind: 'not-a-digit' };

/** What the rule looks at in one prediction: the top two digits and the shape of the ink. */
export interface Evidence {
  top: [number, number];
  margin: number;
  topTwo: number;
  holes: number;
  aspect: number;
}

/** Pixels at least this dark are ink when counting holes. */
const HOLE_INK = 0.5;
/** Pixels at least this dark count for the ink's width and height (the pad's preprocessing fits them into 20x20). */
const BOX_INK = 0.1;

export function evidence(probabilities: ArrayLike<number>, pixels: ArrayLike<number>): Evidence {
  let a = 0;
  let b = 1;
  if (probabilities[b] > probabilities[a]) [a, b] = [b, a];
  for (let d = 2; d < probabilities.length; d++) {
    if (probabilities[d] > probabilities[a]) [a, b] = [d, a];
    else if (probabilities[d] > probabilities[b]) b = d;
  }
  const [pa, pb] = [probabilities[a], probabilities[b]];
  return { top: [a, b], margin: pa - pb, topTwo: pa + pb, holes: countHoles(pixels), aspect: aspect(pixels) };
}

export function judge(e: Evidence, rule: UnsureRule): Verdict {
  if (e.topTwo < rule.minTopTwo || e.holes > rule.maxHoles || e.aspect > rule.maxAspect) return { kind: 'not-a-digit' };
  if (e.margin < rule.minMargin) return { kind: 'unsure', digits: e.top };
  return { kind: 'sure', digit: e.top[0] };
}

/** Width over height of the ink's bounding box in a 28x28 image (0 when there is no ink). */
export function aspect(pixels: ArrayLike<number>): number {
  let [x0, y0, x1, y1] = [IMAGE_SIZE, IMAGE_SIZE, -1, -1];
  for (let i = 0; i < IMAGE_SIZE * IMAGE_SIZE; i++) {
    if (pixels[i] < BOX_INK) continue;
    const [x, y] = [i % IMAGE_SIZE, Math.floor(i / IMAGE_SIZE)];
    [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
  }
  return x1 < 0 ? 0 : (x1 - x0 + 1) / (y1 - y0 + 1);
}

/** Regions of paper the ink encloses in a 28x28 image: 4-connected paper that does not reach the border. */
export function countHoles(pixels: ArrayLike<number>): number {
  const n = IMAGE_SIZE;
  const seen = new Uint8Array(n * n);
  const stack: number[] = [];
  let holes = 0;
  for (let start = 0; start < n * n; start++) {
    if (seen[start] || pixels[start] >= HOLE_INK) continue;
    let open = false;
    seen[start] = 1;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop()!;
      const [x, y] = [i % n, Math.floor(i / n)];
      if (x === 0 || y === 0 || x === n - 1 || y === n - 1) open = true;
      for (const j of [x > 0 ? i - 1 : -1, x < n - 1 ? i + 1 : -1, y > 0 ? i - n : -1, y < n - 1 ? i + n : -1]) {
        if (j >= 0 && !seen[j] && pixels[j] < HOLE_INK) {
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
    if (!open) holes++;
  }
  return holes;
}

/** A rule from unsure.json, or an error saying what is wrong with it. */
export function parseUnsureRule(json: unknown): UnsureRule {
  const r = json as Record<string, unknown> | null;
  const keys = ['minMargin', 'minTopTwo', 'maxHoles', 'maxAspect'] as const;
  const bad = keys.filter((k) => typeof r?.[k] !== 'number' || !Number.isFinite(r[k]));
  if (bad.length) throw new Error(`${UNSURE_FILE} needs finite numbers for ${bad.join(', ')}`);
  return Object.fromEntries(keys.map((k) => [k, r![k]])) as unknown as UnsureRule;
}
