/** PNG files to ink images for the predict tool, through the same preprocessing as the drawing pad. */
import { readFile } from 'node:fs/promises';
import { decode } from 'fast-png';
import { inkFromRGBA, type InkImage } from '../core/drawing/digit';

/** Decodes a PNG of any size, bit depth and colour type into ink. */
export async function readPngInk(path: string): Promise<InkImage> {
  const png = decode(await readFile(path));
  const { width, height, channels } = png;
  const src = png.data;
  const max = png.depth === 16 ? 65535 : png.depth === 8 ? 255 : (1 << png.depth) - 1;
  const rgba = new Uint8ClampedArray(width * height * 4);
  const palette = png.palette;
  for (let i = 0; i < width * height; i++) {
    let r: number, g: number, b: number, a = 255;
    if (palette) {
      const entry = palette[src[i]];
      [r, g, b] = entry;
      a = entry[3] ?? 255;
    } else {
      const px = (k: number) => (src[i * channels + k] * 255) / max;
      if (channels <= 2) {
        r = g = b = px(0);
        if (channels === 2) a = px(1);
      } else {
        r = px(0);
        g = px(1);
        b = px(2);
        if (channels === 4) a = px(3);
      }
    }
    rgba[i * 4] = r;
    rgba[i * 4 + 1] = g;
    rgba[i * 4 + 2] = b;
    rgba[i * 4 + 3] = a;
  }
  return inkFromRGBA(rgba, width, height);
}
