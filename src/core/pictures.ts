/**
 * Arrays of numbers as RGBA images for a canvas: activations as ink, signed
 * values (filters, saliency) red for positive and blue for negative, the
 * channels of a feature map side by side.
 */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

type Colour = (v: number) => readonly [number, number, number];

/** Dark on white, for v in [0, 1]. */
export const ink: Colour = (v) => {
  const g = 255 - Math.round(255 * Math.min(1, Math.max(0, v)));
  return [g, g, g];
};

/** White at zero, red towards +1, blue towards -1. */
export const diverging: Colour = (v) => {
  const a = Math.round(255 * (1 - Math.min(1, Math.abs(v))));
  return v >= 0 ? [255, a, a] : [a, a, 255];
};

const GAP: readonly number[] = [221, 225, 231, 255];

/**
 * The `c` channels of a height x width x c array as tiles, `columns` to a row,
 * one pixel apart; channel k's values are divided by `scale(k)` (0 counts as 1).
 */
export function tiles(values: ArrayLike<number>, [h, w, c]: readonly number[], columns: number, colour: Colour, scale: (k: number) => number): Rgba {
  const cols = Math.min(columns, c);
  const width = cols * (w + 1) - 1;
  const height = Math.ceil(c / cols) * (h + 1) - 1;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set(GAP, i);
  for (let k = 0; k < c; k++) {
    const s = scale(k) || 1;
    const x0 = (k % cols) * (w + 1);
    const y0 = Math.floor(k / cols) * (h + 1);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const [r, g, b] = colour(values[(y * w + x) * c + k] / s);
        data.set([r, g, b, 255], ((y0 + y) * width + x0 + x) * 4);
      }
    }
  }
  return { width, height, data };
}

/** The largest magnitude of channel k of an array with c channels (all channels without k). */
export function maxAbs(values: ArrayLike<number>, c = 1, k?: number): number {
  let m = 0;
  for (let i = k ?? 0; i < values.length; i += k === undefined ? 1 : c) m = Math.max(m, Math.abs(values[i]));
  return m;
}
