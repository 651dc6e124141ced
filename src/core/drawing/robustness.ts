/**
 * MNIST digits put on the drawing pad the way people vary their drawings, for
 * `npm run eval:robust`: each 28x28 image is drawn onto the 280x280 pad (ten
 * pad pixels to an MNIST pixel, a digit that fills the pad), then turned,
 * slanted, shrunk, pushed into a corner or restroked at another width. The
 * result goes through the pad's own preprocessing, as a drawing would.
 */
import { IMAGE_SIZE } from '../data/mnist';
import { chamfer, INK_THRESHOLD, type InkImage } from './digit';
import { PAD_SIZE } from './strokeRaster';

export type PadShift =
  | { kind: 'none' }
  /** Strokes redrawn along their centre lines, this many pad pixels wide. */
  | { kind: 'stroke'; width: number }
  | { kind: 'rotate'; degrees: number }
  /** x += amount * y (a slant), about the centre. */
  | { kind: 'shear'; amount: number }
  /** The digit's longer side this share of the pad, centred. */
  | { kind: 'size'; share: number }
  /** The digit's longer side this share of the pad, in the top-left corner. */
  | { kind: 'corner'; share: number };

export interface PadCondition {
  name: string;
  shift: PadShift;
}

/**
 * MNIST's strokes are about 2 px of 28, so about 20 pad pixels: 1-8 px is a
 * thin pen, 40 a fat finger, and 20 shows what redrawing along the centre
 * lines costs by itself.
 */
export const PAD_CONDITIONS: readonly PadCondition[] = [
  { name: 'as drawn', shift: { kind: 'none' } },
  { name: 'stroke 1 px', shift: { kind: 'stroke', width: 1 } },
  { name: 'stroke 4 px', shift: { kind: 'stroke', width: 4 } },
  { name: 'stroke 8 px', shift: { kind: 'stroke', width: 8 } },
  { name: 'stroke 20 px', shift: { kind: 'stroke', width: 20 } },
  { name: 'stroke 40 px', shift: { kind: 'stroke', width: 40 } },
  { name: 'rotated -20°', shift: { kind: 'rotate', degrees: -20 } },
  { name: 'rotated -10°', shift: { kind: 'rotate', degrees: -10 } },
  { name: 'rotated +10°', shift: { kind: 'rotate', degrees: 10 } },
  { name: 'rotated +20°', shift: { kind: 'rotate', degrees: 20 } },
  { name: 'shear -0.3', shift: { kind: 'shear', amount: -0.3 } },
  { name: 'shear +0.3', shift: { kind: 'shear', amount: 0.3 } },
  { name: '1/8 of the pad', shift: { kind: 'size', share: 1 / 8 } },
  { name: 'half size, in a corner', shift: { kind: 'corner', share: 1 / 2 } },
];

/** The image drawn on the pad under `shift`; `pixels`: 784 values in [0, 1]. */
export function onPad(pixels: ArrayLike<number>, shift: PadShift): InkImage {
  if (shift.kind === 'stroke') return restroke(centreLines(onPad(pixels, { kind: 'none' })), shift.width);
  // Pad point = m (source point - from) + to, with m = scale * turn/slant.
  let m = [PAD_SIZE / IMAGE_SIZE, 0, 0, PAD_SIZE / IMAGE_SIZE];
  let from = [IMAGE_SIZE / 2, IMAGE_SIZE / 2];
  let to = [PAD_SIZE / 2, PAD_SIZE / 2];
  if (shift.kind === 'rotate') {
    const a = (shift.degrees * Math.PI) / 180;
    m = [m[0] * Math.cos(a), -m[0] * Math.sin(a), m[0] * Math.sin(a), m[0] * Math.cos(a)];
  } else if (shift.kind === 'shear') {
    m = [m[0], m[0] * shift.amount, 0, m[3]];
  } else if (shift.kind === 'size' || shift.kind === 'corner') {
    const b = inkBox(pixels);
    const s = (shift.share * PAD_SIZE) / Math.max(b.x1 - b.x0, b.y1 - b.y0);
    m = [s, 0, 0, s];
    from = shift.kind === 'size' ? [(b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2] : [b.x0, b.y0];
    to = shift.kind === 'size' ? to : [4, 4];
  }
  const det = m[0] * m[3] - m[1] * m[2];
  const inv = [m[3] / det, -m[1] / det, -m[2] / det, m[0] / det];
  const ink = new Float32Array(PAD_SIZE * PAD_SIZE);
  for (let y = 0; y < PAD_SIZE; y++) {
    for (let x = 0; x < PAD_SIZE; x++) {
      const px = x + 0.5 - to[0];
      const py = y + 0.5 - to[1];
      ink[y * PAD_SIZE + x] = bilinear(pixels, inv[0] * px + inv[1] * py + from[0], inv[2] * px + inv[3] * py + from[1]);
    }
  }
  return { width: PAD_SIZE, height: PAD_SIZE, ink };
}

/** The source image at a point (pixel centres at i + 0.5), 0 outside. */
function bilinear(p: ArrayLike<number>, sx: number, sy: number): number {
  const u = sx - 0.5;
  const v = sy - 0.5;
  const x0 = Math.floor(u);
  const y0 = Math.floor(v);
  if (x0 < -1 || y0 < -1 || x0 >= IMAGE_SIZE || y0 >= IMAGE_SIZE) return 0;
  const fx = u - x0;
  const fy = v - y0;
  const i = y0 * IMAGE_SIZE + x0;
  const left = x0 >= 0;
  const right = x0 + 1 < IMAGE_SIZE;
  const top = y0 >= 0 ? (left ? (1 - fx) * p[i] : 0) + (right ? fx * p[i + 1] : 0) : 0;
  const bottom = y0 + 1 < IMAGE_SIZE ? (left ? (1 - fx) * p[i + IMAGE_SIZE] : 0) + (right ? fx * p[i + IMAGE_SIZE + 1] : 0) : 0;
  return (1 - fy) * top + fy * bottom;
}

/** The ink's bounding box in source pixels (edges, not centres). */
function inkBox(p: ArrayLike<number>) {
  let x0 = IMAGE_SIZE;
  let y0 = IMAGE_SIZE;
  let x1 = 0;
  let y1 = 0;
  for (let i = 0; i < IMAGE_SIZE * IMAGE_SIZE; i++) {
    if (p[i] < INK_THRESHOLD) continue;
    const x = i % IMAGE_SIZE;
    const y = (i - x) / IMAGE_SIZE;
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x + 1);
    y1 = Math.max(y1, y + 1);
  }
  return x1 > x0 ? { x0, y0, x1, y1 } : { x0: 0, y0: 0, x1: IMAGE_SIZE, y1: IMAGE_SIZE };
}

/** The drawing's strokes thinned to lines one pixel wide. */
export function centreLines(img: InkImage): InkImage {
  const mask = new Uint8Array(img.ink.length);
  for (let i = 0; i < mask.length; i++) mask[i] = img.ink[i] >= 0.5 ? 1 : 0;
  return { width: img.width, height: img.height, ink: Float32Array.from(skeleton(mask, img.width, img.height)) };
}

/** Centre lines (from centreLines) drawn `width` pixels wide, with soft edges. */
export function restroke(lines: InkImage, width: number): InkImage {
  const { width: w, height: h } = lines;
  const d = chamfer(Uint8Array.from(lines.ink), w, h, 0);
  const ink = new Float32Array(w * h);
  for (let i = 0; i < ink.length; i++) ink[i] = Math.min(1, Math.max(0, width / 2 + 0.5 - d[i]));
  return { width: w, height: h, ink };
}

/** Zhang-Suen thinning: the mask pared down to lines one pixel wide, its topology kept. */
export function skeleton(mask: Uint8Array, w: number, h: number): Uint8Array {
  const m = mask.slice();
  const gone: number[] = [];
  let [x0, y0, x1, y1] = [w, h, 0, 0];
  for (let i = 0; i < m.length; i++) {
    if (!m[i]) continue;
    const x = i % w;
    const y = (i - x) / w;
    [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const pass of [0, 1]) {
      gone.length = 0;
      for (let y = Math.max(1, y0); y <= Math.min(h - 2, y1); y++) {
        for (let x = Math.max(1, x0); x <= Math.min(w - 2, x1); x++) {
          const i = y * w + x;
          if (!m[i]) continue;
          // Neighbours clockwise from north.
          const p2 = m[i - w], p3 = m[i - w + 1], p4 = m[i + 1], p5 = m[i + w + 1];
          const p6 = m[i + w], p7 = m[i + w - 1], p8 = m[i - 1], p9 = m[i - w - 1];
          const count = p2 + p3 + p4 + p5 + p6 + p7 + p8 + p9;
          if (count < 2 || count > 6) continue;
          const rises = +(!p2 && p3) + +(!p3 && p4) + +(!p4 && p5) + +(!p5 && p6) + +(!p6 && p7) + +(!p7 && p8) + +(!p8 && p9) + +(!p9 && p2);
          if (rises !== 1) continue;
          if (pass === 0 ? p2 * p4 * p6 || p4 * p6 * p8 : p2 * p4 * p8 || p2 * p6 * p8) continue;
          gone.push(i);
        }
      }
      for (const i of gone) m[i] = 0;
      changed ||= gone.length > 0;
    }
  }
  return m;
}
