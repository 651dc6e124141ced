/**
 * From a drawing to the 28x28 image MNIST would have made of it.
 *
 * MNIST's recipe: fit the ink's bounding box into 20x20 keeping the aspect
 * ratio (anti-aliased), then translate so the centre of mass sits at the
 * centre of the 28x28 field. We do both in one exact resampling: every output
 * pixel integrates the ink over its preimage in the drawing (area averaging),
 * so there is no blur from a second interpolation.
 */
import { IMAGE_PIXELS, IMAGE_SIZE } from '../data/mnist';

/** A grayscale drawing: ink in [0, 1] (1 = full ink), row-major. */
export interface InkImage {
  width: number;
  height: number;
  ink: Float32Array;
}

export interface Preprocessed {
  empty: boolean;
  /** 784 values in [0, 1], 0 = background (MNIST convention). All zero when empty. */
  pixels: Float32Array;
  /** The ink's bounding box in the drawing, when not empty. */
  box?: { x: number; y: number; width: number; height: number };
}

export const FIT_BOX = 20;
/** Ink below this is treated as paper (anti-aliasing fringe, scanner noise). */
export const INK_THRESHOLD = 0.1;

/** The digit with the highest of ten probabilities (the first, on a tie). */
export function topDigit(probabilities: ArrayLike<number>): number {
  let best = 0;
  for (let d = 1; d < probabilities.length; d++) if (probabilities[d] > probabilities[best]) best = d;
  return best;
}

export type Polarity = 'auto' | 'dark-on-light' | 'light-on-dark';

/**
 * Converts RGBA pixels to ink. With 'auto' the polarity is read off the
 * border: a light border means dark ink on light paper. A mostly transparent
 * border means the paper is transparent, and ink is simply opacity.
 */
export function inkFromRGBA(rgba: ArrayLike<number>, width: number, height: number, polarity: Polarity = 'auto'): InkImage {
  const n = width * height;
  if (rgba.length < n * 4) throw new Error(`expected ${n * 4} RGBA values for ${width}x${height}, got ${rgba.length}`);
  const lum = new Float32Array(n);
  const alpha = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    lum[i] = (0.299 * rgba[i * 4] + 0.587 * rgba[i * 4 + 1] + 0.114 * rgba[i * 4 + 2]) / 255;
    alpha[i] = rgba[i * 4 + 3] / 255;
  }
  const border = borderStats(lum, alpha, width, height);
  const ink = new Float32Array(n);
  if (border.opaque < border.count / 2 && polarity === 'auto') {
    for (let i = 0; i < n; i++) ink[i] = alpha[i];
    return { width, height, ink };
  }
  const lightInk = polarity === 'auto' ? border.meanLum < 0.5 : polarity === 'light-on-dark';
  const paper = lightInk ? 0 : 1;
  for (let i = 0; i < n; i++) {
    const l = alpha[i] * lum[i] + (1 - alpha[i]) * paper; // composite over the paper
    ink[i] = lightInk ? l : 1 - l;
  }
  return { width, height, ink };
}

function borderStats(lum: Float32Array, alpha: Float32Array, w: number, h: number) {
  let sum = 0;
  let opaque = 0;
  let count = 0;
  const add = (i: number) => {
    count++;
    if (alpha[i] >= 0.5) {
      sum += lum[i];
      opaque++;
    }
  };
  for (let x = 0; x < w; x++) {
    add(x);
    if (h > 1) add((h - 1) * w + x);
  }
  for (let y = 1; y < h - 1; y++) {
    add(y * w);
    if (w > 1) add(y * w + w - 1);
  }
  return { count, opaque, meanLum: opaque ? sum / opaque : NaN };
}

export interface PreprocessOptions {
  /** Ink below this is paper. */
  threshold?: number;
  /**
   * Stroke width to normalise to, in output (28x28) pixels; null keeps the
   * drawing's own. Default: MNIST's mean (see MNIST_STROKE_WIDTH).
   */
  strokeWidth?: number | null;
}

/**
 * Mean stroke width of MNIST training digits in 28x28 pixels, estimated as
 * 2 x ink area / boundary length (measured on 5,000 training images: mean
 * 2.0, 10th-90th percentile 1.4-2.7). A thick brush on a small drawing or a
 * thin pen on a big one otherwise gives digits unlike anything MNIST has.
 */
export const MNIST_STROKE_WIDTH = 2.0;

interface InkStats {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  cx: number;
  cy: number;
}

function inkStats(img: InkImage, threshold: number): InkStats | null {
  const { width: w, height: h, ink } = img;
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = ink[y * w + x];
      if (v < threshold) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  return x1 < 0 ? null : { x0, y0, x1, y1, cx: mx / mass, cy: my / mass };
}

export function preprocessDrawing(img: InkImage, opts: PreprocessOptions = {}): Preprocessed {
  let threshold = opts.threshold ?? INK_THRESHOLD;
  const target = opts.strokeWidth === undefined ? MNIST_STROKE_WIDTH : opts.strokeWidth;
  const pixels = new Float32Array(IMAGE_PIXELS);
  let stats = inkStats(img, threshold);
  if (!stats) return { empty: true, pixels };
  const box = { x: stats.x0, y: stats.y0, width: stats.x1 - stats.x0 + 1, height: stats.y1 - stats.y0 + 1 };
  if (target !== null) {
    img = normalizeStrokeWidth(img, threshold, target * (Math.max(box.width, box.height) / FIT_BOX));
    stats = inkStats(img, threshold) ?? stats;
    threshold = 0.5;
  }
  const { x0, y0, x1, y1, cx, cy } = stats;
  const scale = FIT_BOX / Math.max(x1 - x0 + 1, y1 - y0 + 1); // output pixels per drawing pixel
  const half = IMAGE_SIZE / 2;
  const inv = 1 / scale;
  // Output pixel (tx, ty) covers drawing rectangle [sx0, sx1) x [sy0, sy1).
  for (let ty = 0; ty < IMAGE_SIZE; ty++) {
    const sy0 = cy + (ty - half) * inv;
    const sy1 = sy0 + inv;
    for (let tx = 0; tx < IMAGE_SIZE; tx++) {
      const sx0 = cx + (tx - half) * inv;
      const sx1 = sx0 + inv;
      pixels[ty * IMAGE_SIZE + tx] = areaAverage(img, sx0, sx1, sy0, sy1, x0, x1 + 1, y0, y1 + 1, threshold);
    }
  }
  // Ink pale from a thin pen (or scaled down a lot) is stretched to full strength, as in MNIST.
  let peak = 0;
  for (let i = 0; i < IMAGE_PIXELS; i++) if (pixels[i] > peak) peak = pixels[i];
  if (peak > 0) for (let i = 0; i < IMAGE_PIXELS; i++) pixels[i] = Math.min(1, pixels[i] / peak);
  return { empty: false, pixels, box };
}

/** Estimated stroke width of a binary mask: 2 x area / boundary length. */
export function strokeWidth(mask: Uint8Array, w: number, h: number): number {
  let area = 0;
  let boundary = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = mask[y * w + x];
      area += v;
      if (v !== (x + 1 < w ? mask[y * w + x + 1] : 0)) boundary++;
      if (v !== (y + 1 < h ? mask[(y + 1) * w + x] : 0)) boundary++;
      if (v && x === 0) boundary++;
      if (v && y === 0) boundary++;
    }
  }
  return boundary ? (2 * area) / boundary : 0;
}

/**
 * Chamfer distance (1, sqrt 2) from every pixel to the nearest pixel where
 * `mask` differs from `inside` (so: distance to the other side), two passes.
 */
export function chamfer(mask: Uint8Array, w: number, h: number, inside: number): Float32Array {
  const d = new Float32Array(w * h);
  const BIG = 1e9;
  const D = Math.SQRT2;
  for (let i = 0; i < d.length; i++) d[i] = mask[i] === inside ? BIG : 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (d[i] === 0) continue;
      let v = d[i];
      if (x > 0) v = Math.min(v, d[i - 1] + 1);
      if (y > 0) {
        v = Math.min(v, d[i - w] + 1);
        if (x > 0) v = Math.min(v, d[i - w - 1] + D);
        if (x + 1 < w) v = Math.min(v, d[i - w + 1] + D);
      }
      d[i] = v;
    }
  }
  for (let y = h - 1; y >= 0; y--) {
    for (let x = w - 1; x >= 0; x--) {
      const i = y * w + x;
      if (d[i] === 0) continue;
      let v = d[i];
      if (x + 1 < w) v = Math.min(v, d[i + 1] + 1);
      if (y + 1 < h) {
        v = Math.min(v, d[i + w] + 1);
        if (x + 1 < w) v = Math.min(v, d[i + w + 1] + D);
        if (x > 0) v = Math.min(v, d[i + w - 1] + D);
      }
      d[i] = v;
    }
  }
  return d;
}

/**
 * Thickens or thins the strokes so they are `target` drawing pixels wide:
 * dilation or erosion by half the difference, with soft (anti-aliased) edges.
 * Thinning stops short of erasing the thinnest parts.
 */
export function normalizeStrokeWidth(img: InkImage, threshold: number, target: number): InkImage {
  const { width: w, height: h, ink } = img;
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < mask.length; i++) mask[i] = ink[i] >= threshold ? 1 : 0;
  const width = strokeWidth(mask, w, h);
  let r = (target - width) / 2;
  if (Math.abs(r) < 0.25) return img;
  const out = new Float32Array(w * h);
  if (r > 0) {
    const dOut = chamfer(mask, w, h, 0); // background: distance to ink
    for (let i = 0; i < out.length; i++) out[i] = mask[i] ? 1 : Math.min(1, Math.max(0, r + 1 - dOut[i]));
  } else {
    r = Math.max(r, -0.3 * width);
    const dIn = chamfer(mask, w, h, 1); // ink: distance to paper
    for (let i = 0; i < out.length; i++) out[i] = mask[i] ? Math.min(1, Math.max(0, dIn[i] + r)) : 0;
  }
  return { width: w, height: h, ink: out };
}

/** Mean ink over [sx0,sx1)x[sy0,sy1), counting only ink inside the bounding box. */
function areaAverage(
  img: InkImage,
  sx0: number,
  sx1: number,
  sy0: number,
  sy1: number,
  bx0: number,
  bx1: number,
  by0: number,
  by1: number,
  threshold: number,
): number {
  const ax0 = Math.max(sx0, bx0);
  const ax1 = Math.min(sx1, bx1);
  const ay0 = Math.max(sy0, by0);
  const ay1 = Math.min(sy1, by1);
  if (ax0 >= ax1 || ay0 >= ay1) return 0;
  const { width: w, ink } = img;
  let sum = 0;
  for (let y = Math.floor(ay0); y < ay1; y++) {
    const wy = Math.min(ay1, y + 1) - Math.max(ay0, y);
    if (wy <= 0) continue;
    for (let x = Math.floor(ax0); x < ax1; x++) {
      const wx = Math.min(ax1, x + 1) - Math.max(ax0, x);
      if (wx <= 0) continue;
      const v = ink[y * w + x];
      if (v >= threshold) sum += v * wx * wy;
    }
  }
  return sum / ((sx1 - sx0) * (sy1 - sy0));
}
