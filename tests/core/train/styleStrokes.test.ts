import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tf';
import { augmentBatch } from '../../../src/core/train/augment';
import { makeRng, type Rng } from '../../../src/core/train/rng';
import { addStyleStrokes, FLAG, randomBases, randomOpenLoops, randomShortStems, randomStyles, type StyleParams } from '../../../src/core/train/styleStrokes';
import { useBackend } from '../../helpers/backend';

beforeAll(() => useBackend('wasm'));

/** A vertical stem two pixels wide, rows 4..23, columns 13-14: a plain 1 (or a 7's stem). */
function stem(): Float32Array {
  const img = new Float32Array(784);
  for (let y = 4; y <= 23; y++) img[y * 28 + 13] = img[y * 28 + 14] = 1;
  return img;
}

/** Ink that is in `after` but not in `before`. */
function added(before: Float32Array, after: Float32Array): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  for (let i = 0; i < 784; i++) if (after[i] - before[i] > 0.5) out.push({ x: i % 28, y: Math.floor(i / 28) });
  return out;
}

/** `random` at p 0.3 gives about 30% of `digit`'s images a stroke, and no other digit's. */
function expectShareOfOneDigit(random: (labels: Int32Array, p: number, rng: Rng) => StyleParams, digit: number, seed: number): void {
  const labels = Int32Array.from({ length: 3000 }, (_, i) => i % 10);
  const s = random(labels, 0.3, makeRng(seed));
  const on = (d: number) => s.on.filter((v, i) => v && labels[i] === d).length / 300;
  expect(on(digit)).toBeGreaterThan(0.22);
  expect(on(digit)).toBeLessThan(0.38);
  for (let d = 0; d < 10; d++) if (d !== digit) expect(on(d)).toBe(0);
}

describe('continental 1 and 7 strokes', () => {
  it('gives a share p of the 1s and 7s a stroke and leaves other digits alone', () => {
    const labels = Int32Array.from({ length: 3000 }, (_, i) => i % 10);
    const s = randomStyles(labels, 0.3, makeRng(1));
    const share = (d: number) => {
      let on = 0;
      for (let i = d; i < labels.length; i += 10) on += s.on[i];
      return on / 300;
    };
    expect(share(1)).toBeGreaterThan(0.22);
    expect(share(1)).toBeLessThan(0.38);
    expect(share(7)).toBeGreaterThan(0.22);
    expect(share(7)).toBeLessThan(0.38);
    for (const d of [0, 2, 3, 4, 5, 6, 8, 9]) expect(share(d)).toBe(0);
    // Flags start at the top and run down-left; bars sit at mid-height, across.
    for (let i = 0; i < labels.length; i++) {
      if (!s.on[i]) continue;
      if (labels[i] === 1) {
        expect(s.anchor[i]).toBe(0);
        expect(s.u1[i]).toBeLessThan(0);
        expect(s.v1[i]).toBeGreaterThan(0);
        const degrees = (Math.atan2(s.v1[i], -s.u1[i]) * 180) / Math.PI;
        expect(degrees).toBeGreaterThanOrEqual(FLAG.minAngle - 1e-3);
        expect(degrees).toBeLessThanOrEqual(FLAG.maxAngle + 1e-3);
        expect(Math.hypot(s.u1[i], s.v1[i])).toBeGreaterThanOrEqual(FLAG.minLength - 1e-6);
        expect(Math.hypot(s.u1[i], s.v1[i])).toBeLessThanOrEqual(FLAG.maxLength + 1e-6);
      } else {
        expect(s.anchor[i]).toBe(1);
        expect(s.u0[i]).toBeLessThan(0);
        expect(s.u1[i]).toBeGreaterThan(0);
      }
    }
  });

  it('draws a flag from the top of a 1 down to the left, and a bar across the middle of a 7', async () => {
    const img = stem();
    const batch = new Float32Array(3 * 784);
    for (let i = 0; i < 3; i++) batch.set(img, i * 784);
    const labels = [1, 7, 2];
    const params = randomStyles(labels, 1, makeRng(2));
    const out = (await addStyleStrokes(tf.tensor4d(batch, [3, 28, 28, 1]), params).data()) as Float32Array;

    const flag = added(img, out.subarray(0, 784));
    expect(flag.length).toBeGreaterThan(3);
    for (const p of flag) {
      expect(p.x).toBeLessThanOrEqual(15); // from the stem to the left
      expect(p.y).toBeGreaterThanOrEqual(3); // from the top down
      expect(p.y).toBeLessThan(4 + 20 * FLAG.maxLength * Math.sin((FLAG.maxAngle * Math.PI) / 180) + 2);
    }
    expect(Math.min(...flag.map((p) => p.x))).toBeLessThan(11);
    const bar = added(img, out.subarray(784, 1568));
    expect(bar.some((p) => p.x < 12)).toBe(true);
    expect(bar.some((p) => p.x > 15)).toBe(true);
    for (const p of bar) expect(Math.abs(p.y - 13.5)).toBeLessThan(20 * 0.16 + 2);
    // The 2 is untouched, and no ink is taken away anywhere.
    expect(Array.from(out.subarray(1568))).toEqual(Array.from(img));
    for (let i = 0; i < 784; i++) expect(out[i]).toBeGreaterThanOrEqual(img[i]);
  });

  it('is used by augmentBatch only when given the labels, without leaking tensors', async () => {
    const cfg = { rotation: 0, zoom: 0, shift: 0, styles: 1 };
    const x = tf.tensor4d(stem(), [1, 28, 28, 1]);
    const before = tf.memory().numTensors;
    const plain = augmentBatch(x, cfg, makeRng(3));
    const styled = augmentBatch(x, cfg, makeRng(3), [1]);
    expect(tf.memory().numTensors).toBe(before + 2);
    const a = (await plain.data()) as Float32Array;
    const b = (await styled.data()) as Float32Array;
    expect(added(a, b).length).toBeGreaterThan(3);
    tf.dispose([x, plain, styled]);
  });

  it('gives a share of the 1s a base across the foot of the stem, and nothing else', async () => {
    expectShareOfOneDigit(randomBases, 1, 4);

    const img = stem();
    const params = randomBases([1], 1, makeRng(5));
    const out = (await addStyleStrokes(tf.tensor4d(img, [1, 28, 28, 1]), params).data()) as Float32Array;
    const base = added(img, out);
    expect(base.some((p) => p.x < 12)).toBe(true);
    expect(base.some((p) => p.x > 15)).toBe(true);
    for (const p of base) expect(Math.abs(p.y - 23)).toBeLessThanOrEqual(2); // the stem ends at row 23
  });

  it('cuts a gap in the lower left of a 9\'s loop, and touches nothing else', async () => {
    expectShareOfOneDigit(randomOpenLoops, 9, 7);

    // A 9: a ring of radius 5 round (14, 9) on a stem down its right side to row 23.
    const nine = new Float32Array(784);
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) if (Math.abs(Math.hypot(x - 14, y - 9) - 5) < 0.8 || (x >= 18 && x <= 19 && y >= 9 && y <= 23)) nine[y * 28 + x] = 1;
    }
    const out = (await addStyleStrokes(tf.tensor4d(nine, [1, 28, 28, 1]), randomOpenLoops([9], 1, makeRng(8))).data()) as Float32Array;
    const cut = added(out, nine);
    expect(cut.length).toBeGreaterThan(2);
    for (const p of cut) {
      expect(p.x).toBeLessThan(14); // the loop's left half
      expect(p.y).toBeGreaterThan(6); // below its top
      expect(p.y).toBeLessThan(16);
    }
    for (let i = 0; i < 784; i++) expect(out[i]).toBeLessThanOrEqual(nine[i] + 1e-6);
  });

  it('cuts the foot off a 4\'s stem, and leaves its bar and open top', async () => {
    expectShareOfOneDigit(randomShortStems, 4, 9);

    // A 4: a left arm down columns 8-9 to the bar at row 15, the bar across to column 19, the stem down columns 18-19 from row 4 to row 23.
    const four = new Float32Array(784);
    for (let y = 4; y <= 23; y++) four[y * 28 + 18] = four[y * 28 + 19] = 1;
    for (let y = 4; y <= 15; y++) four[y * 28 + 8] = four[y * 28 + 9] = 1;
    for (let x = 8; x <= 19; x++) four[15 * 28 + x] = four[16 * 28 + x] = 1;
    const out = (await addStyleStrokes(tf.tensor4d(four, [1, 28, 28, 1]), randomShortStems([4], 1, makeRng(10))).data()) as Float32Array;
    const cut = added(out, four);
    expect(cut.some((p) => p.y === 23)).toBe(true); // the foot is gone
    for (const p of cut) {
      expect(p.x).toBeGreaterThanOrEqual(17); // only the stem
      expect(p.y).toBeGreaterThan(16); // below the bar
    }
    for (let i = 0; i < 784; i++) expect(out[i]).toBeLessThanOrEqual(four[i] + 1e-6);
  });

  it('draws no more random numbers for a run without bases than before', () => {
    const cfg = { rotation: 10, zoom: 0.1, shift: 0.1, styles: 0.3 };
    const x = tf.zeros([4, 28, 28, 1]) as tf.Tensor4D;
    const [a, b] = [makeRng(6), makeRng(6)];
    tf.dispose([augmentBatch(x, cfg, a, [1, 7, 1, 2]), augmentBatch(x, { ...cfg, bases: 0 }, b, [1, 7, 1, 2])]);
    expect(a()).toBe(b());
    const c = makeRng(6);
    tf.dispose([augmentBatch(x, { ...cfg, bases: 0.5 }, c, [1, 7, 1, 2]), x]);
    expect(c()).not.toBe(a());
  });
});
