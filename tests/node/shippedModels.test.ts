/**
 * The shipped models meet their bounds on the full official test set (10,000
 * images) and on the 7,494 pen-drawn digits through the pad's rasteriser, and
 * the model picker's figures are theirs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateModel } from '../../src/core/model/evaluate';
import { modelNameOf } from '../../src/core/model/models';
import { SHIPPED_SCORES } from '../../src/core/model/shippedScores';
import { classifyRasterised, loadPenDigits, summarize } from '../../src/node/drawnReplay';
import { loadModelFromFolder } from '../../src/node/fsModel';
import { shippedModelsDir } from '../../src/node/paths';
import { useBackend } from '../helpers/backend';
import { mnistSplits } from '../helpers/mnist';

beforeAll(() => useBackend('wasm'));

type Log = { epochs?: unknown[]; trainImages?: number; finishedAt?: string; initLog?: Log | null; soupOf?: { log: Log | null }[]; teachers?: { log: Log | null }[] };

/**
 * The training behind a model in epochs of all 60,000 training images: its
 * own run, its --init parent's, every soup ingredient's and every distillation teacher's,
 * each run counted once (fine-tunes of one parent share it).
 */
function epochsBehind(log: Log): number {
  const runs = new Map<string, number>();
  const visit = (l: Log | null | undefined) => {
    if (!l) return;
    runs.set(l.finishedAt ?? JSON.stringify(l), ((l.epochs?.length ?? 0) * (l.trainImages ?? 60000)) / 60000);
    visit(l.initLog);
    l.soupOf?.forEach((s) => visit(s.log));
    l.teachers?.forEach((t) => visit(t.log));
  };
  visit(log);
  return [...runs.values()].reduce((a, b) => a + b, 0);
}

// The bounds the shipped models must keep on MNIST's test set and on the pen digits (overall, and the worst class).
const BOUNDS = {
  'lenet5-modified': { arch: 'modified', slot: 'pretrained-modified', min: 0.9965, pen: 0.982, penClass: 0.95 },
  'lenet5-original': { arch: 'original', slot: 'pretrained-original', min: 0.991, pen: 0.96, penClass: 0.87 },
} as const;

describe('shipped models', () => {
  const pen = loadPenDigits();
  for (const [dir, { arch, slot, min, pen: penMin, penClass }] of Object.entries(BOUNDS)) {
    it(`${dir} scores at least ${(min * 100).toFixed(2)}% on the official test set and ${(penMin * 100).toFixed(1)}% of the pen digits, as its training log and the model picker say`, async () => {
      const folder = join(shippedModelsDir, dir);
      expect(existsSync(join(folder, 'training-log.json'))).toBe(true);
      const log = JSON.parse(readFileSync(join(folder, 'training-log.json'), 'utf8'));
      const model = await loadModelFromFolder(folder);
      expect(modelNameOf(model)).toBe(arch);
      const { test } = await mnistSplits();
      const ev = await evaluateModel(model, test);
      expect(ev.count).toBe(10000);
      expect(ev.accuracy).toBeGreaterThanOrEqual(min);
      expect(ev.accuracy).toBeCloseTo(log.testAccuracy, 4);
      expect(ev.accuracy).toBeCloseTo(SHIPPED_SCORES[slot].mnist, 4);
      const drawn = summarize(classifyRasterised(model, pen));
      expect(drawn.count).toBe(7494);
      expect(drawn.accuracy).toBeGreaterThanOrEqual(penMin);
      expect(Math.min(...drawn.perClass.map((c) => c.accuracy))).toBeGreaterThanOrEqual(penClass);
      expect(drawn.accuracy).toBeCloseTo(SHIPPED_SCORES[slot].penDigits, 4);
      const epochs = epochsBehind(log);
      expect(epochs).toBeGreaterThan(0);
      expect(epochs).toBeLessThanOrEqual(300);
      model.dispose();
    }, 400_000);
  }
});
