import { describe, expect, it } from 'vitest';
import { FIT_BOX, inkFromRGBA, MNIST_STROKE_WIDTH, preprocessDrawing, strokeWidth, topDigit, type InkImage } from '../../../src/core/drawing/digit';

function blank(w: number, h: number): InkImage {
  return { width: w, height: h, ink: new Float32Array(w * h) };
}
function fillRect(img: InkImage, x: number, y: number, w: number, h: number, v = 1) {
  for (let r = y; r < y + h; r++) for (let c = x; c < x + w; c++) img.ink[r * img.width + c] = v;
}
function stats(p: Float32Array) {
  let m = 0, sx = 0, sy = 0, x0 = 28, x1 = -1, y0 = 28, y1 = -1;
  for (let i = 0; i < 784; i++) {
    const v = p[i];
    if (v <= 0.02) continue;
    const x = i % 28, y = Math.floor(i / 28);
    m += v; sx += v * (x + 0.5); sy += v * (y + 0.5);
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  return { cx: sx / m, cy: sy / m, w: x1 - x0 + 1, h: y1 - y0 + 1, max: Math.max(...p) };
}

describe('drawing preprocessing', () => {
  it('reports an empty drawing instead of guessing', () => {
    const r = preprocessDrawing(blank(280, 280));
    expect(r.empty).toBe(true);
    expect(r.pixels.every((v) => v === 0)).toBe(true);
    const faint = blank(50, 50);
    fillRect(faint, 10, 10, 5, 5, 0.05);
    expect(preprocessDrawing(faint).empty).toBe(true);
  });

  it('scales a small off-centre digit up to the 20-pixel box and centres its mass', () => {
    const img = blank(280, 280);
    // A "1": a tall bar in the top-left corner.
    fillRect(img, 20, 10, 12, 60);
    const r = preprocessDrawing(img);
    expect(r.empty).toBe(false);
    expect(r.box).toEqual({ x: 20, y: 10, width: 12, height: 60 });
    const s = stats(r.pixels);
    expect(s.h).toBeGreaterThanOrEqual(FIT_BOX);
    expect(s.h).toBeLessThanOrEqual(FIT_BOX + 1);
    expect(s.w).toBeLessThanOrEqual(6); // aspect ratio kept: 12/60 of 20 = 4 (+ anti-aliased edges)
    expect(s.cx).toBeCloseTo(14, 1);
    expect(s.cy).toBeCloseTo(14, 1);
    expect(s.max).toBeCloseTo(1, 5);
  });

  it('scales a large digit down with anti-aliasing', () => {
    const img = blank(560, 560);
    // A hollow square drawn with a 30 px pen, 400 px wide: strokes land on fractional pixels.
    fillRect(img, 80, 80, 400, 30);
    fillRect(img, 80, 450, 400, 30);
    fillRect(img, 80, 80, 30, 400);
    fillRect(img, 450, 80, 30, 400);
    const r = preprocessDrawing(img, { strokeWidth: null }); // resampling alone
    const s = stats(r.pixels);
    expect(s.w).toBe(FIT_BOX);
    expect(s.h).toBe(FIT_BOX);
    const greys = Array.from(r.pixels).filter((v) => v > 0.05 && v < 0.95).length;
    expect(greys).toBeGreaterThan(10);
    expect(r.pixels[14 * 28 + 14]).toBe(0); // the hole stays empty
  });

  it('normalises stroke width: thin pens and thick brushes come out like MNIST', () => {
    const outWidth = (pen: number) => {
      const img = blank(300, 300);
      // An "L" 200 px tall drawn with the given pen.
      fillRect(img, 50, 50, pen, 200);
      fillRect(img, 50, 250 - pen, 150, pen);
      const p = preprocessDrawing(img).pixels;
      const mask = Uint8Array.from(p, (v) => (v > 0.5 ? 1 : 0));
      return strokeWidth(mask, 28, 28);
    };
    for (const pen of [6, 14, 30, 45]) {
      expect(outWidth(pen)).toBeGreaterThan(MNIST_STROKE_WIDTH * 0.7);
      expect(outWidth(pen)).toBeLessThan(MNIST_STROKE_WIDTH * 1.45);
    }
    // Without normalisation the 45 px brush would be about 4.5 output pixels wide.
    const img = blank(300, 300);
    fillRect(img, 50, 50, 45, 200);
    fillRect(img, 50, 205, 150, 45);
    const raw = preprocessDrawing(img, { strokeWidth: null }).pixels;
    expect(strokeWidth(Uint8Array.from(raw, (v) => (v > 0.5 ? 1 : 0)), 28, 28)).toBeGreaterThan(3.5);
  });

  it('measures stroke width as twice the area over the boundary', () => {
    const mask = new Uint8Array(100 * 100);
    for (let y = 10; y < 90; y++) for (let x = 40; x < 44; x++) mask[y * 100 + x] = 1; // 4 px wide, 80 long
    expect(strokeWidth(mask, 100, 100)).toBeCloseTo((2 * 320) / 168, 5);
  });

  it('centres by mass, not by bounding box', () => {
    const img = blank(100, 100);
    fillRect(img, 10, 10, 80, 10); // a heavy top bar
    fillRect(img, 10, 10, 2, 80); // a thin left leg
    const s = stats(preprocessDrawing(img).pixels);
    expect(s.cy).toBeCloseTo(14, 0);
    expect(s.cx).toBeCloseTo(14, 0);
  });

  it('reads ink from RGBA in either polarity and from transparent canvases', () => {
    const w = 20, h = 20;
    const make = (bg: number[], fg: number[]) => {
      const rgba = new Uint8ClampedArray(w * h * 4);
      for (let i = 0; i < w * h; i++) rgba.set(i % w > 8 && i % w < 12 ? fg : bg, i * 4);
      return rgba;
    };
    const dark = inkFromRGBA(make([255, 255, 255, 255], [0, 0, 0, 255]), w, h);
    const light = inkFromRGBA(make([0, 0, 0, 255], [255, 255, 255, 255]), w, h);
    const clear = inkFromRGBA(make([0, 0, 0, 0], [30, 30, 30, 255]), w, h);
    for (const img of [dark, light, clear]) {
      expect(img.ink[10]).toBeCloseTo(1);
      expect(img.ink[0]).toBeCloseTo(0);
    }
    const forced = inkFromRGBA(make([255, 255, 255, 255], [0, 0, 0, 255]), w, h, 'light-on-dark');
    expect(forced.ink[0]).toBeCloseTo(1);
    expect(() => inkFromRGBA(new Uint8Array(10), 5, 5)).toThrow(/expected 100 RGBA values/);
  });

  it('picks the most probable digit, the first one on a tie', () => {
    expect(topDigit([0.1, 0, 0, 0.6, 0, 0, 0, 0.3, 0, 0])).toBe(3);
    expect(topDigit(Float32Array.from([0, 0, 0.5, 0, 0, 0, 0, 0, 0, 0.5]))).toBe(2);
  });
});
