/**
 * The proof of "teach it your handwriting" with the pen digits' writers:
 * each corrects the first few digits the model misreads (at most 5 of each
 * digit), the model is fine-tuned on those, and the rest of that writer's
 * digits, never trained on, are read before and after.
 */
import { imageBytes, type PersonalDigit } from '../core/data/personalDigits';
import { toPad, type PenDigit } from '../core/drawing/pendigits';
import { drawOnPad, PAD_SIZE } from '../core/drawing/strokeRaster';
import type { ReplayResult } from './drawnReplay';

export const CORRECTIONS_PER_DIGIT = 5;

/** One writer's digits (file order): the first misread of each digit are corrected, the rest are measured. */
export function planWriter(results: readonly ReplayResult[], perDigit = CORRECTIONS_PER_DIGIT): { corrections: ReplayResult[]; rest: ReplayResult[] } {
  const taken = new Array(10).fill(0);
  const corrections: ReplayResult[] = [];
  const rest: ReplayResult[] = [];
  for (const r of results) {
    const label = r.digit.label;
    if (r.predicted !== label && taken[label] < perDigit) {
      taken[label]++;
      corrections.push(r);
    } else rest.push(r);
  }
  return { corrections, rest };
}

export const errorRate = (results: readonly ReplayResult[]) => results.filter((r) => r.predicted !== r.digit.label).length / Math.max(1, results.length);

/** The results of each writer, worst read first. */
export function writersWorstFirst(results: readonly ReplayResult[]): { writer: number; results: ReplayResult[] }[] {
  const by = new Map<number, ReplayResult[]>();
  for (const r of results) by.set(r.digit.writer, [...(by.get(r.digit.writer) ?? []), r]);
  return [...by.entries()].map(([writer, rs]) => ({ writer, results: rs })).sort((a, b) => errorRate(b.results) - errorRate(a.results) || a.writer - b.writer);
}

/** A pen digit as the pad would keep it when corrected: its strokes on the pad and the image the model saw. */
export function keptDigit(d: PenDigit, predicted: number | null): PersonalDigit {
  const strokes = d.strokes.map((s) => s.map((p) => toPad(p, PAD_SIZE)));
  return { label: d.label, image: imageBytes(drawOnPad(strokes).pixels), strokes, predicted, savedAt: 0 };
}
