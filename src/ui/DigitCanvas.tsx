import { useEffect, useRef, type CanvasHTMLAttributes } from 'react';
import { IMAGE_PIXELS, IMAGE_SIZE } from '../core/data/mnist';

type Props = CanvasHTMLAttributes<HTMLCanvasElement> & {
  /** 28x28 ink values, 0 = background; missing = blank. */
  pixels?: ArrayLike<number>;
  /** Multiplies a value into 0..255 ink (255 for floats in [0, 1], 1 for bytes). */
  scale: number;
};

/** A 28x28 digit, dark on white, one canvas pixel per image pixel (CSS enlarges it). */
export function DigitCanvas({ pixels, scale, ...canvas }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current?.getContext('2d');
    if (!c) return;
    const img = c.createImageData(IMAGE_SIZE, IMAGE_SIZE);
    for (let i = 0; i < IMAGE_PIXELS; i++) {
      const v = 255 - Math.round((pixels?.[i] ?? 0) * scale);
      img.data.set([v, v, v, 255], i * 4);
    }
    c.putImageData(img, 0, 0);
  }, [pixels, scale]);
  return <canvas ref={ref} width={IMAGE_SIZE} height={IMAGE_SIZE} {...canvas} />;
}
