import { describe, expect, it } from 'vitest';
import { strokeWidth, type InkImage } from '../../../src/core/drawing/digit';
import { centreLines, onPad, PAD_CONDITIONS, restroke, skeleton } from '../../../src/core/drawing/robustness';
import { PAD_SIZE } from '../../../src/core/drawing/strokeRaster';

/** A 28x28 "L": a vertical bar at x 10-12, y 4-23, and a foot at y 21-23, x 10-19. */
function letterL(): Float32Array {
  const p = new Float32Array(784);
  for (let y = 4; y < 24; y++) for (let x = 10; x < 13; x++) p[y * 28 + x] = 1;
  for (let y = 21; y < 24; y++) for (let x = 10; x < 20; x++) p[y * 28 + x] = 1;
  return p;
}

function box(img: InkImage, threshold = 0.5) {
  let [x0, y0, x1, y1, mass, mx] = [Infinity, Infinity, -1, -1, 0, 0];
  for (let i = 0; i < img.ink.length; i++) {
    if (img.ink[i] < threshold) continue;
    const x = i % img.width;
    const y = Math.floor(i / img.width);
    [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    mass++;
    mx += x;
  }
  return { x0, y0, x1, y1, w: x1 - x0 + 1, h: y1 - y0 + 1, cx: mx / mass };
}

const maskOf = (img: InkImage) => Uint8Array.from(img.ink, (v) => (v >= 0.5 ? 1 : 0));

describe('MNIST digits put on the pad', () => {
  it('draws a 28x28 image ten times larger, in the same place', () => {
    const b = box(onPad(letterL(), { kind: 'none' }));
    expect(b.x0).toBeGreaterThanOrEqual(99);
    expect(b.x0).toBeLessThanOrEqual(101);
    expect(b.h).toBeGreaterThanOrEqual(195);
    expect(b.h).toBeLessThanOrEqual(205);
  });

  it('shrinks the digit to a share of the pad, centred or in the top-left corner', () => {
    const small = box(onPad(letterL(), { kind: 'size', share: 1 / 8 }));
    expect(small.h).toBeGreaterThanOrEqual(PAD_SIZE / 8 - 2);
    expect(small.h).toBeLessThanOrEqual(PAD_SIZE / 8 + 1);
    expect(Math.abs((small.y0 + small.y1) / 2 - PAD_SIZE / 2)).toBeLessThan(2);
    const corner = box(onPad(letterL(), { kind: 'corner', share: 1 / 2 }));
    expect(corner.h).toBeGreaterThanOrEqual(PAD_SIZE / 2 - 2);
    expect(corner.x0).toBeLessThan(8);
    expect(corner.y0).toBeLessThan(8);
  });

  it('turns (clockwise on screen for positive degrees) and slants about the centre', () => {
    // One lit pixel, 5 right of and 8 above the centre: its ink's centre of mass lands where the map sends it.
    const dot = new Float32Array(784);
    dot[(14 - 8) * 28 + 14 + 5] = 1;
    const centreOf = (img: InkImage) => {
      let [m, mx, my] = [0, 0, 0];
      img.ink.forEach((v, i) => ((m += v), (mx += v * ((i % PAD_SIZE) + 0.5)), (my += v * (Math.floor(i / PAD_SIZE) + 0.5))));
      return [mx / m - PAD_SIZE / 2, my / m - PAD_SIZE / 2];
    };
    const [dx, dy] = [55, -75]; // (5.5, -7.5) MNIST pixels from the centre, ten times larger
    const a = (20 * Math.PI) / 180;
    const turned = centreOf(onPad(dot, { kind: 'rotate', degrees: 20 }));
    expect(turned[0]).toBeCloseTo(Math.cos(a) * dx - Math.sin(a) * dy, 0);
    expect(turned[1]).toBeCloseTo(Math.sin(a) * dx + Math.cos(a) * dy, 0);
    const slanted = centreOf(onPad(dot, { kind: 'shear', amount: 0.3 }));
    expect(slanted[0]).toBeCloseTo(dx + 0.3 * dy, 0);
    expect(slanted[1]).toBeCloseTo(dy, 0);
  });

  it('pares strokes to one-pixel centre lines that stay connected, and redraws them at any width', () => {
    const drawn = onPad(letterL(), { kind: 'none' });
    const lines = centreLines(drawn);
    const count = lines.ink.reduce((a, b) => a + b, 0);
    // About the L's two strokes' lengths (200 + 90 pad pixels), not its area.
    expect(count).toBeGreaterThan(200);
    expect(count).toBeLessThan(330);
    for (const width of [4, 8, 40]) {
      const w = strokeWidth(maskOf(restroke(lines, width)), PAD_SIZE, PAD_SIZE);
      expect(Math.abs(w - width) / width).toBeLessThan(0.25);
    }
    // Thinning shortens each line end by about half the stroke's width, no more.
    expect(box(restroke(lines, 1)).h).toBeGreaterThan(box(drawn).h * 0.8);
  });

  it('thinning keeps a ring a ring and a bar a bar', () => {
    const w = 40;
    const ring = new Uint8Array(w * w);
    for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) {
      const r = Math.hypot(x - 20, y - 20);
      ring[y * w + x] = r >= 8 && r <= 14 ? 1 : 0;
    }
    const s = skeleton(ring, w, w);
    // Still closed: the centre cannot reach the border without crossing the line.
    const seen = new Uint8Array(w * w);
    const stack = [20 * w + 20];
    let escaped = false;
    while (stack.length) {
      const i = stack.pop()!;
      if (seen[i] || s[i]) continue;
      seen[i] = 1;
      const x = i % w;
      const y = (i - x) / w;
      if (x === 0 || y === 0 || x === w - 1 || y === w - 1) escaped = true;
      else stack.push(i - 1, i + 1, i - w, i + w);
    }
    expect(escaped).toBe(false);
    expect(s.reduce((a, b) => a + b, 0)).toBeLessThan(ring.reduce((a, b) => a + b, 0) / 3);
  });

  it('names every condition once', () => {
    const names = PAD_CONDITIONS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(PAD_CONDITIONS[0].shift.kind).toBe('none');
  });
});
