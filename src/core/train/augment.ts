/**
 * Random affine augmentation, done on the backend for a whole batch at once:
 * JavaScript only draws 8 numbers per image; tf.image.transform moves pixels.
 */
import * as tf from '../tf';
import { uniform, type Rng } from './rng';
import { addStyleStrokes, randomBases, randomOpenLoops, randomShortStems, randomStyles } from './styleStrokes';
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

/** Control points per side of an elastic displacement field (corners included). */
const ELASTIC_GRID = 4;

/**
 * Smooth random displacement fields, one per image (Simard et al. 2003): each
 * control point of a coarse grid moves by up to `amount` pixels either way, and
 * every pixel by the bilinear blend of its four. The coarse grid does what
 * Simard's Gaussian-smoothed noise does, at a few hundred operations an image.
 * Returns [dx, dy] per pixel, image after image.
 */
export function randomElasticFields(n: number, size: number, amount: number, rng: Rng): Float32Array {
  const g = ELASTIC_GRID;
  const out = new Float32Array(n * size * size * 2);
  const grid = new Float32Array(g * g * 2);
  const step = (size - 1) / (g - 1);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < grid.length; k++) grid[k] = uniform(rng, -amount, amount);
    for (let y = 0; y < size; y++) {
      const gy = Math.min(Math.floor(y / step), g - 2);
      const fy = y / step - gy;
      for (let x = 0; x < size; x++) {
        const gx = Math.min(Math.floor(x / step), g - 2);
        const fx = x / step - gx;
        const o = ((i * size + y) * size + x) * 2;
        for (let d = 0; d < 2; d++) {
          const at = (cy: number, cx: number) => grid[(cy * g + cx) * 2 + d];
          const top = at(gy, gx) * (1 - fx) + at(gy, gx + 1) * fx;
          const bottom = at(gy + 1, gx) * (1 - fx) + at(gy + 1, gx + 1) * fx;
          out[o + d] = top * (1 - fy) + bottom * fy;
        }
      }
    }
  }
  return out;
}

/**
 * Moves every pixel of a [N, H, W, 1] batch by its own displacement: output
 * pixel (x, y) reads the input at (x + dx, y + dy), bilinearly, zero outside.
 * JavaScript works out which four input pixels and weights; one gather on the
 * backend reads them.
 */
export function displace(images: tf.Tensor4D, fields: Float32Array): tf.Tensor4D {
  const [n, h, w] = images.shape;
  const pixels = n * h * w;
  const index = new Int32Array(pixels * 4);
  const weight = new Float32Array(pixels * 4);
  for (let p = 0; p < pixels; p++) {
    const x = (p % w) + fields[p * 2];
    const y = (Math.floor(p / w) % h) + fields[p * 2 + 1];
    const base = p - (p % (h * w));
    const x0 = Math.floor(x);
    const y0 = Math.floor(y);
    for (let k = 0; k < 4; k++) {
      const xi = x0 + (k & 1);
      const yi = y0 + (k >> 1);
      const inside = xi >= 0 && xi < w && yi >= 0 && yi < h;
      index[p * 4 + k] = inside ? base + yi * w + xi : pixels; // the zero appended below
      weight[p * 4 + k] = inside ? (k & 1 ? x - x0 : 1 - (x - x0)) * (k >> 1 ? y - y0 : 1 - (y - y0)) : 0;
    }
  }
  return tf.tidy(() => {
    const flat = tf.concat([tf.reshape(images, [pixels]), tf.zeros([1])]);
    const read = tf.reshape(tf.gather(flat, tf.tensor1d(index, 'int32')), [pixels, 4]);
    return tf.reshape(tf.sum(tf.mul(read, tf.tensor2d(weight, [pixels, 4])), 1), [n, h, w, 1]) as tf.Tensor4D;
  });
}

/**
 * Augments a [N, H, W, 1] batch; returns a new tensor. Style strokes (which
 * need `labels`) go on first so the geometry slants and turns them too.
 */
export function augmentBatch(images: tf.Tensor4D, cfg: AugmentConfig, rng: Rng, labels?: ArrayLike<number>): tf.Tensor4D {
  const [n, h] = images.shape;
  return tf.tidy(() => {
    const flagged = cfg.styles && labels ? addStyleStrokes(images, randomStyles(labels, cfg.styles, rng)) : images;
    const based = cfg.bases && labels ? addStyleStrokes(flagged, randomBases(labels, cfg.bases, rng)) : flagged;
    const opened = cfg.openLoops && labels ? addStyleStrokes(based, randomOpenLoops(labels, cfg.openLoops, rng)) : based;
    const styled = cfg.shortStems && labels ? addStyleStrokes(opened, randomShortStems(labels, cfg.shortStems, rng)) : opened;
    const transforms = tf.tensor2d(randomTransforms(n, h, cfg, rng), [n, 8]);
    const turned = tf.image.transform(styled, transforms, 'bilinear', 'constant', 0);
    const moved = cfg.elastic ? displace(turned, randomElasticFields(n, h, cfg.elastic, rng)) : turned;
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
