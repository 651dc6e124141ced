import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tf';
import { createModel } from '../../../src/core/model/models';
import { averageWeightsInto } from '../../../src/core/model/soup';
import { useBackend } from '../../helpers/backend';

beforeAll(() => useBackend('cpu'));

describe('averageWeightsInto', () => {
  it('sets every weight, BatchNorm statistics included, to the mean of the ingredients', () => {
    const a = createModel('modified', { seed: 1 });
    const b = createModel('modified', { seed: 2 });
    // Moving statistics start at 0 and 1 in every model: make them differ too.
    const bn = a.weights.findIndex((w) => w.originalName.includes('moving_mean'));
    expect(bn).toBeGreaterThan(-1);
    b.weights[bn].write(tf.fill(b.weights[bn].shape as number[], 4));
    const soup = createModel('modified', { seed: 3 });
    const before = tf.memory().numTensors;
    averageWeightsInto(soup, [a, b]);
    expect(tf.memory().numTensors).toBe(before);
    soup.weights.forEach((w, i) => {
      const expected = tf.tidy(() => tf.div(tf.add(a.weights[i].read(), b.weights[i].read()), 2));
      expect(Array.from(w.read().dataSync())).toEqual(Array.from(expected.dataSync()).map((v) => expect.closeTo(v, 6)));
      expected.dispose();
    });
    expect(soup.weights[bn].read().dataSync()[0]).toBeCloseTo(2, 6);
    [a, b, soup].forEach((m) => m.dispose());
  });

  it('refuses models of another architecture with a clear message and leaves the soup as it was', () => {
    const soup = createModel('modified', { seed: 1 });
    const other = createModel('original', { seed: 1 });
    const kept = Array.from(soup.weights[0].read().dataSync());
    expect(() => averageWeightsInto(soup, [soup, other])).toThrow(/model 2 has \d+ weight tensors/);
    expect(() => averageWeightsInto(soup, [])).toThrow(/at least one model/);
    expect(Array.from(soup.weights[0].read().dataSync())).toEqual(kept);
    [soup, other].forEach((m) => m.dispose());
  });
});
