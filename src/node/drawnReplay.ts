/**
 * Real pen-written digits scored as the pad would see them: loaded from the
 * UNIPEN file, classified offline (the pad's rasteriser in Node), and
 * summarised. The browser replay of the same digits is scripts/lib/chromium.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as tf from '../core/tf';
import { IMAGE_PIXELS, IMAGE_SIZE } from '../core/data/mnist';
import { topDigit, type PreprocessOptions } from '../core/drawing/digit';
import { parseUnipen, toPad, type PenDigit } from '../core/drawing/pendigits';
import { drawOnPad, PAD_SIZE } from '../core/drawing/strokeRaster';
import { repoRoot } from './paths';

export function loadPenDigits(path = join(repoRoot, 'data', 'pendigits-orig.tra.gz')): PenDigit[] {
  return parseUnipen(gunzipSync(readFileSync(path)).toString('latin1'));
}

export interface ReplayResult {
  digit: PenDigit;
  predicted: number | null;
  probabilities: number[] | null;
}

/** Classifies the digits as the pad would draw them, without a browser (batches of 256). */
export function classifyRasterised(model: tf.LayersModel, digits: PenDigit[], opts?: PreprocessOptions): ReplayResult[] {
  const out: ReplayResult[] = [];
  for (let i = 0; i < digits.length; i += 256) {
    const chunk = digits.slice(i, i + 256);
    const x = new Float32Array(chunk.length * IMAGE_PIXELS);
    const empty = chunk.map((d, j) => {
      const pre = drawOnPad(d.strokes.map((s) => s.map((p) => toPad(p, PAD_SIZE))), opts);
      x.set(pre.pixels, j * IMAGE_PIXELS);
      return pre.empty;
    });
    const probs = tf.tidy(() => model.predict(tf.tensor4d(x, [chunk.length, IMAGE_SIZE, IMAGE_SIZE, 1])) as tf.Tensor);
    const p = probs.arraySync() as number[][];
    probs.dispose();
    chunk.forEach((digit, j) =>
      out.push(empty[j] ? { digit, predicted: null, probabilities: null } : { digit, predicted: topDigit(p[j]), probabilities: p[j] }),
    );
  }
  return out;
}

export interface DrawnSummary {
  count: number;
  accuracy: number;
  perClass: { digit: number; count: number; accuracy: number }[];
  perWriter: { writer: number; count: number; accuracy: number }[];
  /** confusion[true][predicted]; column 10 counts "empty / no answer". */
  confusion: number[][];
}

export function summarize(results: ReplayResult[]): DrawnSummary {
  const confusion = Array.from({ length: 10 }, () => new Array(11).fill(0));
  const byWriter = new Map<number, { n: number; ok: number }>();
  let ok = 0;
  for (const r of results) {
    const right = r.predicted === r.digit.label;
    if (right) ok++;
    confusion[r.digit.label][r.predicted ?? 10]++;
    const w = byWriter.get(r.digit.writer) ?? { n: 0, ok: 0 };
    w.n++;
    if (right) w.ok++;
    byWriter.set(r.digit.writer, w);
  }
  return {
    count: results.length,
    accuracy: results.length ? ok / results.length : NaN,
    perClass: confusion.map((row, d) => {
      const n = row.reduce((a, b) => a + b, 0);
      return { digit: d, count: n, accuracy: n ? row[d] / n : NaN };
    }),
    perWriter: [...byWriter.entries()].sort((a, b) => a[0] - b[0]).map(([writer, w]) => ({ writer, count: w.n, accuracy: w.ok / w.n })),
    confusion,
  };
}
