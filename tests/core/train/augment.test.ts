import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../helpers/tf';
import { augmentBatch, displace, randomElasticFields, randomTransforms } from '../../../src/core/train/augment';
import { makeRng } from '../../../src/core/train/rng';
import { useBackend } from '../../helpers/backend';

beforeAll(() => useBackend('wasm'));

/** A 28x28 image with a bright square whose top-left corner is at (x, y). */
function square(x: number, y: number, size = 6): Float32Array {
  const img = new Float32Array(784);
  for (let r = y; r < y + size; r++) for (let c = x; c < x + size; c++) img[r * 28 + c] = 1;
  return img;
}

function centreOfMass(img: Float32Array | Int32Array | Uint8Array): { x: number; y: number; mass: number } {
  let m = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < 784; i++) {
    m += img[i];
    sx += img[i] * (i % 28);
    sy += img[i] * Math.floor(i / 28);
  }
  return { x: sx / m, y: sy / m, mass: m };
}

describe('augmentation', () => {
  it('is the identity when every range is zero', async () => {
    const img = square(5, 9);
    const out = augmentBatch(tf.tensor4d(img, [1, 28, 28, 1]), { rotation: 0, zoom: 0, shift: 0 }, makeRng(1));
    const data = await out.data();
    for (let i = 0; i < 784; i++) expect(data[i]).toBeCloseTo(img[i], 5);
  });

  it('keeps rotations, zooms and shifts within the configured ranges', async () => {
    const cfg = { rotation: 10, zoom: 0.1, shift: 0.1 };
    const t = randomTransforms(500, 28, cfg, makeRng(2));
    for (let i = 0; i < 500; i++) {
      const a0 = t[i * 8];
      const b0 = t[i * 8 + 3];
      const scale = 1 / Math.hypot(a0, b0); // forward zoom
      const angle = (Math.atan2(-b0, a0) * 180) / Math.PI;
      expect(scale).toBeGreaterThanOrEqual(0.9 - 1e-6);
      expect(scale).toBeLessThanOrEqual(1.1 + 1e-6);
      expect(Math.abs(angle)).toBeLessThanOrEqual(10 + 1e-4);
    }
  });

  it('moves the content by the drawn shift, on the backend, for a whole batch', async () => {
    const n = 64;
    const batch = new Float32Array(n * 784);
    for (let i = 0; i < n; i++) batch.set(square(11, 11), i * 784);
    const cfg = { rotation: 0, zoom: 0, shift: 0.1 };
    const transforms = randomTransforms(n, 28, cfg, makeRng(3));
    const out = await augmentBatch(tf.tensor4d(batch, [n, 28, 28, 1]), cfg, makeRng(3)).data();
    for (let i = 0; i < n; i++) {
      const com = centreOfMass(out.subarray(i * 784, (i + 1) * 784) as Float32Array);
      // With no rotation or zoom, the forward shift is minus the inverse offset.
      const tx = 13.5 - transforms[i * 8 + 2] - 13.5;
      const ty = 13.5 - transforms[i * 8 + 5] - 13.5;
      expect(com.x - 13.5).toBeCloseTo(tx, 0);
      expect(com.y - 13.5).toBeCloseTo(ty, 0);
      expect(com.mass).toBeCloseTo(36, 0);
    }
  });

  it('slants by the drawn shear: x moves in proportion to y', async () => {
    const cfg = { rotation: 0, zoom: 0, shift: 0, shear: 0.3 };
    const t = randomTransforms(200, 28, cfg, makeRng(6));
    for (let i = 0; i < 200; i++) {
      const [a0, a1, , b0, b1] = t.subarray(i * 8, i * 8 + 5);
      expect(a0).toBeCloseTo(1, 6);
      expect(b0).toBeCloseTo(0, 6);
      expect(b1).toBeCloseTo(1, 6);
      expect(Math.abs(a1)).toBeLessThanOrEqual(0.3);
    }
    // A vertical bar becomes a slanted one: its top and bottom rows move apart horizontally.
    const bar = new Float32Array(784);
    for (let y = 4; y < 24; y++) bar[y * 28 + 13] = bar[y * 28 + 14] = 1;
    const out = await augmentBatch(tf.tensor4d(bar, [1, 28, 28, 1]), { ...cfg, shear: 0.3 }, makeRng(7)).data();
    const rowCentre = (y: number) => {
      let m = 0, s = 0;
      for (let x = 0; x < 28; x++) { m += out[y * 28 + x]; s += out[y * 28 + x] * x; }
      return s / m;
    };
    const k = -randomTransforms(1, 28, { ...cfg, shear: 0.3 }, makeRng(7))[1];
    expect(rowCentre(20) - rowCentre(7)).toBeCloseTo(13 * k, 0);
  });

  it('makes strokes thicker or thinner on the backend, per image', async () => {
    const n = 200;
    const batch = new Float32Array(n * 784);
    for (let i = 0; i < n; i++) for (let y = 6; y < 22; y++) batch[i * 784 + y * 28 + 13] = batch[i * 784 + y * 28 + 14] = 1;
    const cfg = { rotation: 0, zoom: 0, shift: 0, thickness: 1 };
    const out = (await augmentBatch(tf.tensor4d(batch, [n, 28, 28, 1]), cfg, makeRng(8)).data()) as Float32Array;
    const masses = Array.from({ length: n }, (_, i) => out.subarray(i * 784, (i + 1) * 784).reduce((a, b) => a + b, 0));
    expect(masses.some((m) => m > 40)).toBe(true); // thicker than the 32-pixel bar
    expect(masses.some((m) => m < 24)).toBe(true); // thinner
    expect(out.reduce((a, b) => Math.max(a, b), 0)).toBeLessThanOrEqual(1 + 1e-6);
    expect(out.reduce((a, b) => Math.min(a, b), 0)).toBeGreaterThanOrEqual(-1e-6);
  });

  it('rotates about the centre, keeping the ink', async () => {
    const img = square(8, 11, 12);
    const out = await augmentBatch(tf.tensor4d(img, [1, 28, 28, 1]), { rotation: 10, zoom: 0, shift: 0 }, makeRng(5)).data();
    const before = centreOfMass(img);
    const after = centreOfMass(out as Float32Array);
    expect(after.mass).toBeCloseTo(before.mass, -1);
    expect(after.x).toBeCloseTo(before.x, 0);
  });

  it('displaces pixels by their own field, bilinearly, zero outside', async () => {
    const img = square(10, 10);
    const shift = new Float32Array(784 * 2);
    for (let p = 0; p < 784; p++) { shift[p * 2] = -3; shift[p * 2 + 1] = 2.5; } // read 3 left, 2.5 down
    const out = (await displace(tf.tensor4d(img, [1, 28, 28, 1]), shift).data()) as Float32Array;
    const before = centreOfMass(img);
    const after = centreOfMass(out);
    expect(after.x - before.x).toBeCloseTo(3, 5);
    expect(after.y - before.y).toBeCloseTo(-2.5, 5);
    expect(after.mass).toBeCloseTo(36, 5);
    const edge = new Float32Array(784 * 2).fill(-5); // reads beyond the top-left corner for the first rows
    const cut = (await displace(tf.tensor4d(new Float32Array(784).fill(1), [1, 28, 28, 1]), edge).data()) as Float32Array;
    expect(cut[0]).toBe(0);
    expect(cut[27 * 28 + 27]).toBe(1);
  });

  it('draws smooth elastic fields within the configured amount, different per image', () => {
    const f = randomElasticFields(50, 28, 2, makeRng(9));
    expect(f.every((d) => Math.abs(d) <= 2)).toBe(true);
    let jump = 0;
    for (let i = 0; i < 50; i++) for (let y = 0; y < 28; y++) for (let x = 1; x < 28; x++) {
      const o = ((i * 28 + y) * 28 + x) * 2;
      jump = Math.max(jump, Math.abs(f[o] - f[o - 2]));
    }
    expect(jump).toBeLessThanOrEqual((2 * 2) / 9 + 1e-6); // neighbours differ by at most 2·amount over a 9-pixel cell
    expect(f[0]).not.toBe(f[784 * 2]);
  });

  it('bends strokes elastically on top of the geometry, keeping the ink, without leaking tensors', async () => {
    const n = 32;
    const batch = new Float32Array(n * 784);
    for (let i = 0; i < n; i++) batch.set(square(8, 8, 12), i * 784);
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(batch, [n, 28, 28, 1]);
    const plain = augmentBatch(x, { rotation: 0, zoom: 0, shift: 0 }, makeRng(4));
    const bent = augmentBatch(x, { rotation: 0, zoom: 0, shift: 0, elastic: 2 }, makeRng(4));
    const [p, b] = [await plain.data(), await bent.data()] as Float32Array[];
    tf.dispose([x, plain, bent]);
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < n; i++) {
      const img = b.subarray(i * 784, (i + 1) * 784);
      expect(Math.abs(centreOfMass(img).mass - 144)).toBeLessThan(144 * 0.3); // stretched and squeezed, not lost
      expect(img.some((v, k) => Math.abs(v - p[i * 784 + k]) > 0.2)).toBe(true);
    }
  });
});
