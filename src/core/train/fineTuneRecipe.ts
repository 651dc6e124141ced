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
} as const;

export function holdOut<T extends { label: number }>(digits: readonly T[]): { train: T[]; heldOut: T[] } {
  const seen = new Array(10).fill(0);
  const train: T[] = [];
  const heldOut: T[] = [];
  for (const d of digits) (++seen[d.label] % 4 === 0 ? heldOut : train).push(d);
  return { train, heldOut };
}

/** Accuracy before and after on each set that was scored. */
export interface FineTuneScores {
  personal: { before: number; after: number; count: number } | null;
  validation: { before: number; after: number; count: number };
  test: { before: number; after: number; count: number } | null;
}

export const recommendKeeping = (s: FineTuneScores) => s.validation.after >= s.validation.before - FINE_TUNE.maxValidationDrop;
