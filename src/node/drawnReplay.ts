/**
 * Replays real pen-written digits on the app's drawing pad with the mouse, in
 * a real browser, and reads back the prediction the page shows. Shared by the
 * end-to-end test and `npm run eval:drawn`. `classifyRasterised` is the fast
 * offline stand-in: the same strokes drawn by the pad's rasteriser in Node.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import type { Page } from 'playwright-core';
import { IMAGE_PIXELS, IMAGE_SIZE } from '../core/mnist';
import { preprocessDrawing, topDigit } from '../core/digit';
import { parseUnipen, toPad, type PenDigit } from '../core/pendigits';
import { PAD_BRUSH, PAD_SIZE, rasterStrokes } from '../core/strokeRaster';
import { repoRoot } from './paths';

export function loadPenDigits(path = join(repoRoot, 'data', 'pendigits-orig.tra.gz')): PenDigit[] {
  return parseUnipen(gunzipSync(readFileSync(path)).toString('latin1'));
}

export interface ReplayResult {
  digit: PenDigit;
  predicted: number | null;
  probabilities: number[] | null;
}

/** Clears the pad, draws the digit's strokes at the writer's own size and place, returns the shown prediction. */
export async function replayDigit(page: Page, digit: PenDigit): Promise<ReplayResult> {
  const pad = page.getByRole('img', { name: 'Draw a digit' });
  await pad.press('Escape');
  const box = (await pad.boundingBox())!;
  const scale = box.width / PAD_SIZE;
  for (const stroke of digit.strokes) {
    const pts = stroke.map((p) => toPad(p, PAD_SIZE));
    await page.mouse.move(box.x + pts[0].x * scale, box.y + pts[0].y * scale);
    await page.mouse.down();
    for (const p of pts.slice(1)) await page.mouse.move(box.x + p.x * scale, box.y + p.y * scale);
    await page.mouse.up();
  }
  // Wait for the prediction made from this very drawing (the pad counts its edits).
  const bars = page.getByRole('list', { name: 'Probability of each digit' });
  await page.waitForFunction(() => {
    const c = document.querySelector('canvas.pad') as HTMLCanvasElement | null;
    const b = document.querySelector('ol.bars') as HTMLElement | null;
    return !!c && !!b && c.dataset.changes === b.dataset.changes;
  });
  const attr = await bars.getAttribute('data-probabilities');
  if (!attr) return { digit, predicted: null, probabilities: null };
  const probabilities = attr.split(' ').map(Number);
  return { digit, predicted: topDigit(probabilities), probabilities };
}

/** Classifies the digits as the pad would draw them, without a browser (batches of 256). */
export function classifyRasterised(model: tf.LayersModel, digits: PenDigit[]): ReplayResult[] {
  const out: ReplayResult[] = [];
  for (let i = 0; i < digits.length; i += 256) {
    const chunk = digits.slice(i, i + 256);
    const x = new Float32Array(chunk.length * IMAGE_PIXELS);
    const empty = chunk.map((d, j) => {
      const ink = rasterStrokes(d.strokes.map((s) => s.map((p) => toPad(p, PAD_SIZE))), PAD_SIZE, PAD_BRUSH);
      const pre = preprocessDrawing(ink);
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
