/**
 * From a drawing to the 28x28 image MNIST would have made of it.
 *
 * MNIST's recipe: fit the ink's bounding box into 20x20 keeping the aspect
 * ratio (anti-aliased), then translate so the centre of mass sits at the
 * centre of the 28x28 field. We do both in one exact resampling: every output
 * pixel integrates the ink over its preimage in the drawing (area averaging),
 * so there is no blur from a second interpolation.
 */
import { IMAGE_PIXELS, IMAGE_SIZE } from './mnist';

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

export function preprocessDrawing(img: InkImage, threshold = INK_THRESHOLD): Preprocessed {
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
  const pixels = new Float32Array(IMAGE_PIXELS);
  if (x1 < 0) return { empty: true, pixels };
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const scale = FIT_BOX / Math.max(bw, bh); // output pixels per drawing pixel
  const cx = mx / mass;
  const cy = my / mass;
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
  return { empty: false, pixels, box: { x: x0, y: y0, width: bw, height: bh } };
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
