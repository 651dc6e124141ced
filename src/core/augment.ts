/**
 * Random affine augmentation, done on the backend for a whole batch at once:
 * JavaScript only draws 8 numbers per image; tf.image.transform moves pixels.
 */
import * as tf from '@tensorflow/tfjs';
import { uniform, type Rng } from './rng';

export interface AugmentConfig {
  /** Max rotation in degrees (either way). */
  rotation: number;
  /** Max relative zoom (0.1 = 90%..110%). */
  zoom: number;
  /** Max shift as a fraction of the image size, horizontal and vertical. */
  shift: number;
}

/** The reference recipe: rotation ±10°, zoom ±10%, shift ±10%. */
export const DEFAULT_AUGMENT: AugmentConfig = { rotation: 10, zoom: 0.1, shift: 0.1 };

/**
 * tf.image.transform maps each output pixel (x, y) to the input point
 * (a0 x + a1 y + a2, b0 x + b1 y + b2). We draw the forward transform
 * (rotate and zoom about the centre, then shift) and write its inverse.
 */
export function randomTransforms(n: number, size: number, cfg: AugmentConfig, rng: Rng): Float32Array {
  const out = new Float32Array(n * 8);
  const c = (size - 1) / 2;
  for (let i = 0; i < n; i++) {
    const theta = (uniform(rng, -cfg.rotation, cfg.rotation) * Math.PI) / 180;
    const s = 1 + uniform(rng, -cfg.zoom, cfg.zoom);
    const tx = uniform(rng, -cfg.shift, cfg.shift) * size;
    const ty = uniform(rng, -cfg.shift, cfg.shift) * size;
    // Inverse of p' = s R (p - c) + c + t is p = R^T (p' - c - t) / s + c.
    const cos = Math.cos(theta) / s;
    const sin = Math.sin(theta) / s;
    const ox = c + tx;
    const oy = c + ty;
    const o = i * 8;
    out[o] = cos;
    out[o + 1] = sin;
    out[o + 2] = c - cos * ox - sin * oy;
    out[o + 3] = -sin;
    out[o + 4] = cos;
    out[o + 5] = c + sin * ox - cos * oy;
  }
  return out;
}

/** Augments a [N, H, W, 1] batch; returns a new tensor. */
export function augmentBatch(images: tf.Tensor4D, cfg: AugmentConfig, rng: Rng): tf.Tensor4D {
  const [n, h] = images.shape;
  return tf.tidy(() => {
    const transforms = tf.tensor2d(randomTransforms(n, h, cfg, rng), [n, 8]);
    return tf.image.transform(images, transforms, 'bilinear', 'constant', 0);
  });
}
