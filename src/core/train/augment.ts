/**
 * Random affine augmentation, done on the backend for a whole batch at once:
 * JavaScript only draws 8 numbers per image; tf.image.transform moves pixels.
 */
import * as tf from '../tf';
import { uniform, type Rng } from './rng';
import { addStyleStrokes, randomStyles } from './styleStrokes';
import type { AugmentConfig } from './types';

/**
 * tf.image.transform maps each output pixel (x, y) to the input point
 * (a0 x + a1 y + a2, b0 x + b1 y + b2). We draw the forward transform
 * (slant, rotate and zoom about the centre, then shift) and write its inverse.
 */
export function randomTransforms(n: number, size: number, cfg: AugmentConfig, rng: Rng): Float32Array {
  const out = new Float32Array(n * 8);
  const c = (size - 1) / 2;
  for (let i = 0; i < n; i++) {
    const theta = (uniform(rng, -cfg.rotation, cfg.rotation) * Math.PI) / 180;
    const s = 1 + uniform(rng, -cfg.zoom, cfg.zoom);
    const tx = uniform(rng, -cfg.shift, cfg.shift) * size;
    const ty = uniform(rng, -cfg.shift, cfg.shift) * size;
    const k = cfg.shear ? uniform(rng, -cfg.shear, cfg.shear) : 0;
    // Inverse of p' = s R K (p - c) + c + t, with K = [[1, k], [0, 1]], is
    // p = K^-1 R^T (p' - c - t) / s + c; M = K^-1 R^T / s below.
    const cos = Math.cos(theta) / s;
    const sin = Math.sin(theta) / s;
    const m00 = cos + k * sin;
    const m01 = sin - k * cos;
    const m10 = -sin;
    const m11 = cos;
    const ox = c + tx;
    const oy = c + ty;
    const o = i * 8;
    out[o] = m00;
    out[o + 1] = m01;
    out[o + 2] = c - m00 * ox - m01 * oy;
    out[o + 3] = m10;
    out[o + 4] = m11;
    out[o + 5] = c - m10 * ox - m11 * oy;
  }
  return out;
}

/**
 * Per-image blend weights towards a dilated (thicker) or eroded (thinner)
 * copy: a share `p` of images gets one of the two, by a random amount.
 */
export function randomThickness(n: number, p: number, rng: Rng): { thicker: Float32Array; thinner: Float32Array } {
  const thicker = new Float32Array(n);
  const thinner = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rng();
    const amount = rng();
    if (r < p / 2) thicker[i] = amount;
    else if (r < p) thinner[i] = amount;
  }
  return { thicker, thinner };
}

/**
 * Augments a [N, H, W, 1] batch; returns a new tensor. Style strokes (which
 * need `labels`) go on first so the geometry slants and turns them too.
 */
export function augmentBatch(images: tf.Tensor4D, cfg: AugmentConfig, rng: Rng, labels?: ArrayLike<number>): tf.Tensor4D {
  const [n, h] = images.shape;
  return tf.tidy(() => {
    const styled = cfg.styles && labels ? addStyleStrokes(images, randomStyles(labels, cfg.styles, rng)) : images;
    const transforms = tf.tensor2d(randomTransforms(n, h, cfg, rng), [n, 8]);
    const moved = tf.image.transform(styled, transforms, 'bilinear', 'constant', 0);
    if (!cfg.thickness) return moved;
    // Grey-scale dilation and erosion by a 3x3 square, blended in per image.
    const { thicker, thinner } = randomThickness(n, cfg.thickness, rng);
    const dilated = tf.maxPool(moved, 3, 1, 'same');
    const eroded = tf.neg(tf.maxPool(tf.neg(moved), 3, 1, 'same'));
    const wThick = tf.tensor4d(thicker, [n, 1, 1, 1]);
    const wThin = tf.tensor4d(thinner, [n, 1, 1, 1]);
    return tf.add(moved, tf.add(tf.mul(wThick, tf.sub(dilated, moved)), tf.mul(wThin, tf.sub(eroded, moved)))) as tf.Tensor4D;
  });
}
