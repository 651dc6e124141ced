/**
 * Digit styles MNIST barely has: the continental 1 (a flag running down-left
 * from the top of the stem) and 7 (a bar across the stem), the printed 1's
 * base, the 9 whose loop is left open and the 4 whose stem stops short. MNIST
 * was written by Americans; many people elsewhere write these, and a model that
 * never saw a flagged 1 reads it as a 7. This adds (or for the 9 and 4, cuts) a
 * stroke in a share of those digits of a batch, on the backend: the anchor (top
 * of the stem or loop, middle of the 7, foot of the 1 or 4) is found from each
 * image's own ink; JavaScript only draws four or five numbers per image.
 */
import * as tf from '../tf';
import type { Rng } from './rng';

/** Digits that get a style stroke, and what it is. */
const FLAG_DIGIT = 1;
const BAR_DIGIT = 7;
const OPEN_LOOP_DIGIT = 9;
const SHORT_STEM_DIGIT = 4;
/**
 * The flag of a continental 1: degrees below horizontal, and length in units of
 * the ink's height. Real flags are long and run well down; short, nearly level
 * ones are what the bar of many MNIST 7s looks like, and taught the model to
 * read those 7s as 1s.
 */
export const FLAG = { minAngle: 25, maxAngle: 55, minLength: 0.3, maxLength: 0.7 };
/** Ink above this counts when looking for the anchor. */
const ANCHOR_INK = 0.3;

export interface StyleParams {
  /** 1 where the image gets a stroke. */
  on: Float32Array;
  /** 0: anchor at the top of the ink (flag), 1: at mid-height (bar), 2: at the bottom (base). */
  anchor: Float32Array;
  /** Segment ends relative to the anchor, in units of the ink's height. */
  u0: Float32Array;
  v0: Float32Array;
  u1: Float32Array;
  v1: Float32Array;
  /** Half the stroke width in pixels (MNIST strokes are about 2 wide). */
  radius: Float32Array;
  /** 1 where the stroke erases ink instead of adding it. */
  erase: Float32Array;
}

const lerp = (lo: number, hi: number, t: number) => lo + (hi - lo) * t;

function noStrokes(n: number): StyleParams {
  const [on, anchor, u0, v0, u1, v1, radius, erase] = Array.from({ length: 8 }, () => new Float32Array(n));
  return { on, anchor, u0, v0, u1, v1, radius, erase };
}

/** Draws per-image stroke parameters: a share `p` of the 1s gets a flag, of the 7s a bar. */
export function randomStyles(labels: ArrayLike<number>, p: number, rng: Rng): StyleParams {
  const n = labels.length;
  const s = noStrokes(n);
  for (let i = 0; i < n; i++) {
    // Always draw the same count of numbers so the stream does not depend on labels.
    const [r, a, b, c, d] = [rng(), rng(), rng(), rng(), rng()];
    s.radius[i] = 0.8 + 0.5 * d;
    if (r >= p) continue;
    if (labels[i] === FLAG_DIGIT) {
      // From the top of the stem, down and to the left.
      const angle = (lerp(FLAG.minAngle, FLAG.maxAngle, a) * Math.PI) / 180;
      const length = lerp(FLAG.minLength, FLAG.maxLength, b);
      s.on[i] = 1;
      s.u1[i] = -length * Math.cos(angle);
      s.v1[i] = length * Math.sin(angle);
    } else if (labels[i] === BAR_DIGIT) {
      // Across the stem near mid-height, nearly level.
      const half = lerp(0.12, 0.25, a);
      const tilt = lerp(-0.06, 0.06, b);
      const shift = lerp(-0.1, 0.1, c);
      s.on[i] = 1;
      s.anchor[i] = 1;
      s.u0[i] = -half;
      s.v0[i] = shift + tilt;
      s.u1[i] = half;
      s.v1[i] = shift - tilt;
    }
  }
  return s;
}

/**
 * A base (a short level stroke across the foot of the stem) for a share `p`
 * of the 1s. Drawn apart from the flags, so that a 1 can have both and a run
 * without bases draws the same random numbers as one that never heard of them.
 */
export function randomBases(labels: ArrayLike<number>, p: number, rng: Rng): StyleParams {
  return strokesForOneDigit(labels, p, rng, FLAG_DIGIT, (s, i, a, b, d) => {
    s.radius[i] = 0.8 + 0.5 * d;
    if (!s.on[i]) return;
    const half = lerp(0.12, 0.25, a);
    const shift = lerp(-0.05, 0.05, b);
    s.anchor[i] = 2;
    s.u0[i] = shift - half;
    s.u1[i] = shift + half;
  });
}

/**
 * An open loop for a share `p` of the 9s: a gap cut in the lower left of the loop,
 * so the 9 becomes a hook over its stem, the way many people write it fast
 * (and the way a model that never saw one reads it: as a 3).
 */
export function randomOpenLoops(labels: ArrayLike<number>, p: number, rng: Rng): StyleParams {
  return strokesForOneDigit(labels, p, rng, OPEN_LOOP_DIGIT, (s, i, a, b, d) => {
    s.radius[i] = 1.2 + 0.6 * d;
    if (!s.on[i]) return;
    // A cut from outside the loop's lower left to inside it, sloping down to the right like that part of the loop.
    const v = lerp(0.2, 0.34, a);
    const tilt = lerp(0, 0.08, b);
    s.erase[i] = 1;
    s.u0[i] = -0.6;
    s.v0[i] = v - tilt;
    s.u1[i] = -0.15;
    s.v1[i] = v + tilt;
  });
}

/**
 * A shorter stem for a share `p` of the 4s: the foot of the stem cut away, so
 * the bar sits low and the open top is most of the digit, as many people write
 * a 4 in one stroke (and as a model that never saw one reads it: as a 6).
 */
export function randomShortStems(labels: ArrayLike<number>, p: number, rng: Rng): StyleParams {
  return strokesForOneDigit(labels, p, rng, SHORT_STEM_DIGIT, (s, i, a, b, d) => {
    s.radius[i] = 2.2 + 0.8 * d;
    if (!s.on[i]) return;
    // Up the stem from below its foot, leaning right as most stems do; it stops short of the bar.
    const length = lerp(0.1, 0.22, a);
    s.erase[i] = 1;
    s.anchor[i] = 2;
    s.v0[i] = 0.1;
    s.u1[i] = lerp(-0.04, 0.12, b);
    s.v1[i] = -length;
  });
}

/**
 * Four numbers per image whatever its label (so the stream does not depend on
 * labels): the first switches the stroke on for a share `p` of `digit`'s
 * images, the rest go to `place`, which sets that image's stroke.
 */
function strokesForOneDigit(
  labels: ArrayLike<number>,
  p: number,
  rng: Rng,
  digit: number,
  place: (s: StyleParams, i: number, a: number, b: number, d: number) => void,
): StyleParams {
  const s = noStrokes(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const [r, a, b, d] = [rng(), rng(), rng(), rng()];
    s.on[i] = r < p && labels[i] === digit ? 1 : 0;
    place(s, i, a, b, d);
  }
  return s;
}

/** Adds (or, where `erase`, cuts) the strokes `params` describes to a [N, H, W, 1] batch; returns a new tensor. */
export function addStyleStrokes(images: tf.Tensor4D, params: StyleParams): tf.Tensor4D {
  const [n, h, w] = images.shape;
  return tf.tidy(() => {
    const col = (a: Float32Array) => tf.tensor3d(a, [n, 1, 1]);
    const img = tf.reshape(images, [n, h, w]) as tf.Tensor3D;
    const rows = tf.range(0, h, 1, 'float32');
    const inkRows = tf.cast(tf.greater(tf.max(img, 2), ANCHOR_INK), 'float32'); // [n, h]
    // First and last rows with ink: argMax of a ramp that favours the earliest (latest) one.
    const top = tf.cast(tf.argMax(tf.mul(inkRows, tf.sub(h, rows)), 1), 'float32');
    const bottom = tf.cast(tf.argMax(tf.mul(inkRows, rows), 1), 'float32');
    const span = tf.sub(bottom, top);
    const height = tf.reshape(tf.add(span, 1), [n, 1, 1]);
    const anchorY = tf.add(top, tf.mul(tf.tensor1d(params.anchor), tf.mul(span, 0.5)));
    // Anchor x: centre of the ink in the three rows from the anchor row down (the stem there).
    const firstRow = tf.reshape(tf.floor(anchorY), [n, 1]);
    const row = tf.reshape(rows, [1, h]);
    const band = tf.logicalAnd(tf.greaterEqual(row, firstRow), tf.lessEqual(row, tf.add(firstRow, 2)));
    const colInk = tf.sum(tf.mul(img, tf.reshape(tf.cast(band, 'float32'), [n, h, 1])), 1); // [n, w]
    const xs = tf.range(0, w, 1, 'float32');
    const anchorX = tf.div(tf.sum(tf.mul(colInk, xs), 1), tf.maximum(tf.sum(colInk, 1), 1e-6));
    const ax = tf.add(tf.reshape(anchorX, [n, 1, 1]), tf.mul(height, col(params.u0)));
    const ay = tf.add(tf.reshape(anchorY, [n, 1, 1]), tf.mul(height, col(params.v0)));
    const dx = tf.mul(height, tf.sub(col(params.u1), col(params.u0)));
    const dy = tf.mul(height, tf.sub(col(params.v1), col(params.v0)));
    // Distance from every pixel centre to the segment, then a soft-edged round brush.
    const px = tf.sub(tf.reshape(xs, [1, 1, w]), ax);
    const py = tf.sub(tf.reshape(rows, [1, h, 1]), ay);
    const len2 = tf.add(tf.add(tf.square(dx), tf.square(dy)), 1e-6);
    const t = tf.clipByValue(tf.div(tf.add(tf.mul(px, dx), tf.mul(py, dy)), len2), 0, 1);
    const dist = tf.sqrt(tf.add(tf.square(tf.sub(px, tf.mul(t, dx))), tf.square(tf.sub(py, tf.mul(t, dy)))));
    const stroke = tf.mul(tf.clipByValue(tf.sub(tf.add(col(params.radius), 0.5), dist), 0, 1), col(params.on));
    const cut = tf.mul(stroke, col(params.erase));
    const drawn = tf.maximum(tf.mul(img, tf.sub(1, cut)), tf.sub(stroke, cut));
    return tf.reshape(drawn, [n, h, w, 1]) as tf.Tensor4D;
  });
}
