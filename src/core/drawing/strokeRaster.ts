/**
 * Draws pen strokes into an ink image the way the drawing pad's canvas does:
 * the same midpoint-quadratic smoothing, a round brush of the same width,
 * anti-aliased edges. Lets Node tools read thousands of pen digits in seconds;
 * the browser replay (npm run eval:drawn) remains the reference.
 */
import { preprocessDrawing, type InkImage, type Preprocessed, type PreprocessOptions } from './digit';
import type { PenPoint } from './pendigits';

/** The drawing pad's side in CSS pixels. */
export const PAD_SIZE = 280;
/** Brush diameter in CSS pixels; preprocessing normalises stroke width anyway, and a thin brush keeps loops open. */
export const PAD_BRUSH = 14;

/** The polyline the canvas strokes: quadratic curves through the midpoints of the input points. */
export function smoothPath(pts: PenPoint[], step = 0.5): PenPoint[] {
  if (pts.length < 3) return pts.slice();
  const out: PenPoint[] = [pts[0]];
  let start = pts[0];
  for (let i = 1; i < pts.length - 1; i++) {
    const ctrl = pts[i];
    const end = { x: (pts[i].x + pts[i + 1].x) / 2, y: (pts[i].y + pts[i + 1].y) / 2 };
    const len = Math.hypot(ctrl.x - start.x, ctrl.y - start.y) + Math.hypot(end.x - ctrl.x, end.y - ctrl.y);
    const n = Math.max(1, Math.ceil(len / step));
    for (let k = 1; k <= n; k++) {
      const t = k / n;
      const a = (1 - t) * (1 - t);
      const b = 2 * (1 - t) * t;
      const c = t * t;
      out.push({ x: a * start.x + b * ctrl.x + c * end.x, y: a * start.y + b * ctrl.y + c * end.y });
    }
    start = end;
  }
  out.push(pts[pts.length - 1]);
  return out;
}

/** Rasterises strokes (pad coordinates, `size` x `size`) with a round brush of diameter `width`. */
export function rasterStrokes(strokes: PenPoint[][], size: number, width: number): InkImage {
  const ink = new Float32Array(size * size);
  const r = width / 2;
  for (const stroke of strokes) {
    const path = smoothPath(stroke);
    const segs = path.length === 1 ? [[path[0], path[0]]] : path.slice(1).map((p, i) => [path[i], p]);
    for (const [a, b] of segs) {
      const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - r - 1));
      const x1 = Math.min(size - 1, Math.ceil(Math.max(a.x, b.x) + r + 1));
      const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - r - 1));
      const y1 = Math.min(size - 1, Math.ceil(Math.max(a.y, b.y) + r + 1));
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const len2 = dx * dx + dy * dy;
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const px = x + 0.5;
          const py = y + 0.5;
          const t = len2 ? Math.max(0, Math.min(1, ((px - a.x) * dx + (py - a.y) * dy) / len2)) : 0;
          const d = Math.hypot(px - (a.x + t * dx), py - (a.y + t * dy));
          const cover = Math.min(1, Math.max(0, r + 0.5 - d));
          const i = y * size + x;
          if (cover > ink[i]) ink[i] = cover;
        }
      }
    }
  }
  return { width: size, height: size, ink };
}

/** Strokes on the pad (pad coordinates), as the page would hand them to the model. */
export function drawOnPad(strokes: PenPoint[][], opts?: PreprocessOptions): Preprocessed {
  return preprocessDrawing(rasterStrokes(strokes, PAD_SIZE, PAD_BRUSH), opts);
}
