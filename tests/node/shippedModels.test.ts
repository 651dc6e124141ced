/** The shipped models meet their bounds on the full official test set (10,000 images). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateModel } from '../../src/core/model/evaluate';
import { modelNameOf } from '../../src/core/model/models';
import { loadModelFromFolder } from '../../src/node/fsModel';
import { shippedModelsDir } from '../../src/node/paths';
import { useBackend } from '../helpers/backend';
import { mnistSplits } from '../helpers/mnist';

beforeAll(() => useBackend('wasm'));

type Log = { epochs?: unknown[]; finishedAt?: string; initLog?: Log | null; soupOf?: { log: Log | null }[] };

/**
 * Epochs of training behind a model: its own, its --init parent's and every
 * soup ingredient's, each run counted once (fine-tunes of one parent share it).
 */
function epochsBehind(log: Log): number {
  const runs = new Map<string, number>();
  const visit = (l: Log | null | undefined) => {
    if (!l) return;
    runs.set(l.finishedAt ?? JSON.stringify(l), l.epochs?.length ?? 0);
    visit(l.initLog);
    l.soupOf?.forEach((s) => visit(s.log));
  };
  visit(log);
  return [...runs.values()].reduce((a, b) => a + b, 0);
}

// The bounds the shipped models must keep: 99.65% for the modified model, 99.10% for the original.
const BOUNDS = { 'lenet5-modified': { arch: 'modified', min: 0.9965 }, 'lenet5-original': { arch: 'original', min: 0.991 } } as const;

describe('shipped models', () => {
  for (const [dir, { arch, min }] of Object.entries(BOUNDS)) {
    it(`${dir} scores at least ${(min * 100).toFixed(2)}% on the official test set, as its training log says`, async () => {
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
      const epochs = epochsBehind(log);
      expect(epochs).toBeGreaterThan(0);
      expect(epochs).toBeLessThanOrEqual(30);
      model.dispose();
    }, 180_000);
  }
});
