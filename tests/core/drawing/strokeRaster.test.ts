import { describe, expect, it } from 'vitest';
import { drawOnPad, rasterStrokes, smoothPath } from '../../../src/core/drawing/strokeRaster';

describe('stroke rasteriser', () => {
  it('smooths through midpoints and keeps the end points', () => {
    const path = smoothPath([{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }]);
    expect(path[0]).toEqual({ x: 0, y: 0 });
    expect(path[path.length - 1]).toEqual({ x: 10, y: 10 });
    // The corner is rounded: no point reaches (10, 0).
    expect(Math.min(...path.map((p) => Math.hypot(p.x - 10, p.y)))).toBeGreaterThan(2);
  });

  it('draws a round brush of the given width with soft edges', () => {
    const img = rasterStrokes([[{ x: 10, y: 20.5 }, { x: 50, y: 20.5 }]], 64, 6);
    const at = (x: number, y: number) => img.ink[y * 64 + x];
    expect(at(30, 20)).toBe(1);
    expect(at(30, 17)).toBeCloseTo(0.5, 5); // pixel centre 3 from the axis: the edge of a radius-3 brush
    expect(at(30, 15)).toBe(0);
    expect(at(8, 20)).toBe(1); // round cap past the end point
    expect(at(5, 20)).toBe(0);
    const dot = rasterStrokes([[{ x: 32, y: 32 }]], 64, 10);
    expect(dot.ink[32 * 64 + 32]).toBe(1);
    expect(dot.ink.reduce((a, b) => a + b, 0)).toBeCloseTo(Math.PI * 25, -1);
  });

  it('draws on the pad with the preprocessing given: a small drawing keeps its fat strokes only with the width kept', () => {
    const line = [[{ x: 140, y: 120 }, { x: 140, y: 160 }]]; // the 14 px brush on a 40 px stroke: 5 MNIST pixels wide
    const ink = (p: Float32Array) => p.reduce((a, b) => a + b, 0);
    const normalised = ink(drawOnPad(line).pixels);
    const kept = ink(drawOnPad(line, { strokeWidth: null }).pixels);
    expect(normalised).toBeGreaterThan(0);
    expect(kept / normalised).toBeGreaterThan(1.5);
  });
});
