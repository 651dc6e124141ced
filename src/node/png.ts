/**
 * PNG files to ink images for the predict tool, through the same preprocessing
 * as the drawing pad.
 *
 * Our own decoder rather than fast-png's: fast-png inflates however much the
 * image data holds (a small file can inflate to gigabytes), misreads
 * interlaced images under 8 bits per pixel and reports broken files with an
 * empty reason. Here the header is checked before anything is inflated and
 * inflation stops at the size the header implies.
 */
import { readFile } from 'node:fs/promises';
import { crc32, inflateSync } from 'node:zlib';
import { inkFromRGBA, type InkImage } from '../core/drawing/digit';

/** Larger images are refused before any decoding. */
export const MAX_PIXELS = 25_000_000;

export interface RgbaImage {
  width: number;
  height: number;
  /** Straight (not premultiplied) alpha, as inkFromRGBA expects: it composites over the paper itself. */
  rgba: Uint8ClampedArray;
}

/** Decodes a PNG (up to MAX_PIXELS; any bit depth, colour type and interlacing) into ink. */
export async function readPngInk(path: string): Promise<InkImage> {
  const { width, height, rgba } = decodePng(await readFile(path), path);
  return inkFromRGBA(rgba, width, height);
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
// Adam7 passes: first column, first row, column step, row step.
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];

/**
 * Decodes every PNG bit depth, colour type and interlacing to 8-bit RGBA.
 * Throws an Error whose message starts with `name: ` and says what is wrong.
 */
export function decodePng(bytes: Uint8Array, name = 'input'): RgbaImage {
  const fail: (why: string) => never = (why) => {
    throw new Error(`${name}: ${why}`);
  };
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) fail('not a PNG file (it does not start with the PNG signature)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  let width = 0, height = 0, depth = 0, colorType = 0, interlaced = false;
  let palette: Uint8Array | undefined;
  let alphas: Uint8Array | undefined; // tRNS of a palette image
  let key: number[] | undefined; // tRNS of a grey or RGB image: the one transparent colour, as RGB
  const idat: Uint8Array[] = [];
  for (let pos = 8; ; ) {
    if (pos + 8 > bytes.length) fail(`truncated: the file ends after ${bytes.length} bytes, before the IEND chunk`);
    const length = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (!/^[A-Za-z]{4}$/.test(type)) fail(`corrupt: no valid chunk type at byte ${pos + 4}`);
    if (pos + 12 + length > bytes.length) fail(`truncated: the ${type} chunk at byte ${pos} needs ${length + 12} bytes, the file has ${bytes.length - pos} left`);
    if (crc32(bytes.subarray(pos + 4, pos + 8 + length)) !== view.getUint32(pos + 8 + length)) fail(`corrupt: the ${type} chunk at byte ${pos} fails its CRC check`);
    if ((pos === 8) !== (type === 'IHDR')) fail('corrupt: the first chunk must be IHDR, and only the first');
    const data = bytes.subarray(pos + 8, pos + 8 + length);
    const u16 = (i: number) => (data[i] << 8) | data[i + 1];
    pos += 12 + length;
    if (type === 'IHDR') {
      if (length !== 13) fail(`corrupt: IHDR has ${length} bytes instead of 13`);
      [width, height, depth, colorType] = [view.getUint32(16), view.getUint32(20), data[8], data[9]];
      if (width === 0 || height === 0) fail(`invalid size ${width}x${height}`);
      if (width * height > MAX_PIXELS) fail(`${width}x${height} pixels is more than the ${MAX_PIXELS / 1e6}-megapixel limit (${width * height} > ${MAX_PIXELS})`);
      if (!DEPTHS[colorType]?.includes(depth)) fail(`invalid bit depth ${depth} for colour type ${colorType}`);
      if (data[10] !== 0 || data[11] !== 0 || data[12] > 1) fail(`unknown compression, filter or interlace method (${data.subarray(10).join(', ')})`);
      interlaced = data[12] === 1;
    } else if (type === 'PLTE') {
      if (length % 3 || length === 0 || length > 768) fail(`corrupt: PLTE has ${length} bytes, not 3 for each of 1 to 256 colours`);
      palette = data;
    } else if (type === 'tRNS') {
      if (colorType === 3) {
        if (!palette || length > palette.length / 3) fail('corrupt: tRNS has more entries than the palette');
        alphas = data;
      } else if (colorType === 0 || colorType === 2) {
        if (length !== (colorType === 0 ? 2 : 6)) fail(`corrupt: tRNS has ${length} bytes instead of ${colorType === 0 ? 2 : 6}`);
        key = colorType === 0 ? [u16(0), u16(0), u16(0)] : [u16(0), u16(2), u16(4)];
      }
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    else if (type < 'a') fail(`unsupported critical chunk ${type}`); // ancillary chunks (lower-case initial) are safe to skip
  }
  if (colorType === 3 && !palette) fail('corrupt: a palette image without a PLTE chunk');
  if (idat.length === 0) fail('no image data (IDAT chunk)');

  const channels = CHANNELS[colorType];
  const bitsPerPixel = depth * channels;
  const passes = (interlaced ? ADAM7 : [[0, 0, 1, 1]])
    .map(([x0, y0, dx, dy]) => ({ x0, y0, dx, dy, w: Math.ceil((width - x0) / dx), h: Math.ceil((height - y0) / dy) }))
    .filter((p) => p.w > 0 && p.h > 0);
  const rowBytes = (w: number) => Math.ceil((w * bitsPerPixel) / 8);
  const expected = passes.reduce((sum, p) => sum + p.h * (1 + rowBytes(p.w)), 0);
  let raw: Uint8Array;
  try {
    // Inflating no more than the header implies: a small file could otherwise inflate to gigabytes.
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: expected });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_BUFFER_TOO_LARGE') fail(`corrupt: the image data inflates to more than the ${expected} bytes a ${width}x${height} image needs`);
    fail(`corrupt image data (zlib: ${err.message || err.code || 'unknown error'})`);
  }
  if (raw.length < expected) fail(`truncated image data: ${raw.length} of ${expected} bytes`);

  const rgba = new Uint8ClampedArray(width * height * 4);
  const max = 2 ** depth - 1;
  const bpp = Math.ceil(bitsPerPixel / 8); // how far back filters look
  let at = 0;
  for (const { x0, y0, dx, dy, w, h } of passes) {
    const n = rowBytes(w);
    let prev: Uint8Array = new Uint8Array(n);
    for (let y = 0; y < h; y++, at += n + 1) {
      if (raw[at] > 4) fail(`corrupt image data: unknown filter type ${raw[at]}`);
      const row = unfilter(raw[at], raw.subarray(at + 1, at + 1 + n), prev, bpp);
      prev = row;
      const sample = depth === 16 ? (i: number) => (row[2 * i] << 8) | row[2 * i + 1]
        : depth === 8 ? (i: number) => row[i]
        : (i: number) => (row[(i * depth) >> 3] >> (8 - depth - ((i * depth) & 7))) & max;
      for (let x = 0, s = 0; x < w; x++, s += channels) {
        const o = ((y0 + y * dy) * width + x0 + x * dx) * 4;
        if (palette && colorType === 3) {
          const i = sample(s);
          if (3 * i >= palette.length) fail(`corrupt: palette index ${i} but the palette has ${palette.length / 3} colours`);
          rgba[o] = palette[3 * i];
          rgba[o + 1] = palette[3 * i + 1];
          rgba[o + 2] = palette[3 * i + 2];
          rgba[o + 3] = alphas && i < alphas.length ? alphas[i] : 255;
          continue;
        }
        const r = sample(s);
        const g = channels < 3 ? r : sample(s + 1);
        const b = channels < 3 ? r : sample(s + 2);
        const a = channels % 2 === 0 ? sample(s + channels - 1) : key && r === key[0] && g === key[1] && b === key[2] ? 0 : max;
        rgba[o] = (r * 255) / max;
        rgba[o + 1] = (g * 255) / max;
        rgba[o + 2] = (b * 255) / max;
        rgba[o + 3] = (a * 255) / max;
      }
    }
  }
  return { width, height, rgba };
}

/** Undoes a scanline's filter in place (PNG spec section 9); `prev` is the row above, unfiltered. */
function unfilter(type: number, row: Uint8Array, prev: Uint8Array, bpp: number): Uint8Array {
  if (type === 0) return row;
  for (let i = 0; i < row.length; i++) {
    const a = i >= bpp ? row[i - bpp] : 0;
    const b = prev[i];
    const c = i >= bpp ? prev[i - bpp] : 0;
    if (type === 1) row[i] += a;
    else if (type === 2) row[i] += b;
    else if (type === 3) row[i] += (a + b) >> 1;
    else {
      const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      row[i] += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
  }
  return row;
}
