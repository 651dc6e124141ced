/** The offline stand-in for the pad replay, and the summary both share. */
import { join } from 'node:path';
import * as tf from '../helpers/tf';
import { beforeAll, describe, expect, it } from 'vitest';
import { topDigit } from '../../src/core/drawing/digit';
import { samplePerClass } from '../../src/core/drawing/pendigits';
import { classifyRasterised, loadPenDigits, summarize } from '../../src/node/drawnReplay';
import { loadModelFromFolder } from '../../src/node/fsModel';
import { shippedModelsDir } from '../../src/node/paths';
import { useBackend } from '../helpers/backend';

beforeAll(() => useBackend('wasm'));

describe('drawn digits', () => {
  it('classifies real pen digits as the pad would draw them, without a browser', async () => {
    const model = await loadModelFromFolder(join(shippedModelsDir, 'lenet5-original'));
    const digits = samplePerClass(loadPenDigits(), 10);
    const before = tf.memory().numTensors;
    const results = classifyRasterised(model, digits);
    expect(tf.memory().numTensors).toBe(before);
    expect(results.map((r) => r.digit)).toEqual(digits);
    for (const r of results) {
      expect(r.probabilities!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      expect(r.predicted).toBe(topDigit(r.probabilities!));
    }
    // The shipped original model reads about 96% of all 7,494 this way (npm run eval:drawn -- --offline).
    expect(summarize(results).accuracy).toBeGreaterThanOrEqual(0.85);
    model.dispose();
  });

  it('summarizes overall, per class, per writer, with "no answer" in its own column', () => {
    const [a, b] = loadPenDigits().filter((d) => d.label === 3).slice(0, 2);
    const s = summarize([
      { digit: a, predicted: 3, probabilities: null },
      { digit: b, predicted: null, probabilities: null },
    ]);
    expect(s.count).toBe(2);
    expect(s.accuracy).toBe(0.5);
    expect(s.perClass[3]).toEqual({ digit: 3, count: 2, accuracy: 0.5 });
    expect(s.confusion[3][3]).toBe(1);
    expect(s.confusion[3][10]).toBe(1);
    expect(s.perWriter.reduce((n, w) => n + w.count, 0)).toBe(2);
  });
});
