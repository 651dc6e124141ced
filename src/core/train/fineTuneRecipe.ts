/**
 * The fine-tune's recipe and how its result is judged, without TensorFlow.js:
 * the page imports these, and the training itself (fineTune.ts) stays in the
 * training worker's bundle.
 */
export const FINE_TUNE = {
  /** About 30 s on a 2-core machine: npm run eval:personal times it in Node, the e2e proof in the page. */
  steps: 200,
  batchSize: 64,
  /** The person's digits' share of every batch; the rest is MNIST, so it does not forget. */
  personalShare: 0.1,
  learningRate: 1e-4,
  /** Of MNIST's training file, never trained on: the keep-or-not decision is made on it. */
  validationSize: 5000,
  /** Recommend not keeping a model that reads this much less of the validation split. */
  maxValidationDrop: 0.001,
  /** A hold-out scoring fewer of the person's digits than this gives way to cross-validation. */
  minHeldOut: 4,
  /** The cross-validation's folds, each one more fine-tune: at most this many, so at most 4 runs in all. */
  folds: 3,
} as const;

/** Every fourth of each digit held out: a digit kept fewer than four times is only trained on. */
export function holdOut<T extends { label: number }>(digits: readonly T[]): { train: T[]; heldOut: T[] } {
  const seen = new Array(10).fill(0);
  const train: T[] = [];
  const heldOut: T[] = [];
  for (const d of digits) (++seen[d.label] % 4 === 0 ? heldOut : train).push(d);
  return { train, heldOut };
}

export interface FineTunePlan<T> {
  /** What the model to keep trains on. */
  train: T[];
  /** Scored by the model to keep, never trained on (a hold-out); empty with cross-validation. */
  heldOut: T[];
  /** Cross-validation: one more fine-tune per fold, on its `train`, scored on its `heldOut`; the scores are pooled. */
  folds: { train: T[]; heldOut: T[] }[];
}

/**
 * How a fine-tune on these digits is trained and scored, never on a digit
 * it trained on: with enough digits a hold-out; with few, the kept model
 * trains on all of them and k folds (each digit in one, the digits of a
 * label spread over the folds) score the recipe; a single digit is not scored.
 */
export function planFineTune<T extends { label: number }>(digits: readonly T[]): FineTunePlan<T> {
  const split = holdOut(digits);
  if (split.heldOut.length >= FINE_TUNE.minHeldOut) return { ...split, folds: [] };
  const k = Math.min(FINE_TUNE.folds, digits.length);
  if (k < 2) return { train: [...digits], heldOut: [], folds: [] };
  const fold = new Array<number>(digits.length);
  [...digits.keys()].sort((a, b) => digits[a].label - digits[b].label || a - b).forEach((i, n) => (fold[i] = n % k));
  const folds = Array.from({ length: k }, (_, f) => ({ train: digits.filter((_, i) => fold[i] !== f), heldOut: digits.filter((_, i) => fold[i] === f) }));
  return { train: [...digits], heldOut: [], folds };
}

/** Accuracy before and after on each set that was scored; `folds`: the person's digits were scored by a cross-validation of that many folds. */
export interface FineTuneScores {
  personal: { before: number; after: number; count: number; folds?: number } | null;
  validation: { before: number; after: number; count: number };
  test: { before: number; after: number; count: number } | null;
}

export const recommendKeeping = (s: FineTuneScores) => s.validation.after >= s.validation.before - FINE_TUNE.maxValidationDrop;
