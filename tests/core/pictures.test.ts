import { describe, expect, it } from 'vitest';
import { diverging, ink, maxAbs, tiles } from '../../src/core/pictures';

const px = (img: { width: number; data: Uint8ClampedArray }, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4));

describe('tiles', () => {
  it('lays channels side by side, a pixel apart, each scaled on its own', () => {
    // 1x2 image, 3 channels (HWC): channel k holds [k + 1, -(k + 1)].
    const values = [1, 2, 3, -1, -2, -3];
    const img = tiles(values, [1, 2, 3], 2, diverging, (k) => k + 1);
    expect([img.width, img.height]).toEqual([5, 3]);
    expect(px(img, 0, 0)).toEqual([255, 0, 0, 255]); // channel 0, +1: red
    expect(px(img, 1, 0)).toEqual([0, 0, 255, 255]); // -1: blue
    expect(px(img, 2, 0)).toEqual([221, 225, 231, 255]); // the gap
    expect(px(img, 3, 0)).toEqual([255, 0, 0, 255]); // channel 1, 2 / 2
    expect(px(img, 0, 2)).toEqual([255, 0, 0, 255]); // channel 2 on the second row
    expect(px(img, 3, 2)).toEqual([221, 225, 231, 255]); // no fourth channel
  });

  it('colours', () => {
    expect(ink(0)).toEqual([255, 255, 255]);
    expect(ink(2)).toEqual([0, 0, 0]);
    expect(diverging(0)).toEqual([255, 255, 255]);
    expect(diverging(-0.5)).toEqual([128, 128, 255]);
    expect(diverging(0)).toEqual(ink(0));
  });

  it('finds the largest magnitude of one channel or of all', () => {
    expect(maxAbs([1, -5, 3, 2], 2, 0)).toBe(3);
    expect(maxAbs([1, -5, 3, 2], 2, 1)).toBe(5);
    expect(maxAbs([1, -5, 3, 2])).toBe(5);
  });
});
