import { useEffect, useMemo, useRef, type CanvasHTMLAttributes } from 'react';
import { IMAGE_PIXELS, IMAGE_SIZE } from '../core/data/mnist';
import { ink, tiles, type Rgba } from '../core/pictures';

type CanvasProps = CanvasHTMLAttributes<HTMLCanvasElement>;

/** An image, one canvas pixel per image pixel (CSS enlarges it). */
export function ImageCanvas({ image, ...canvas }: CanvasProps & { image: Rgba }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    ref.current?.getContext('2d', { willReadFrequently: true })?.putImageData(new ImageData(image.data as Uint8ClampedArray<ArrayBuffer>, image.width, image.height), 0, 0);
  }, [image]);
  return <canvas ref={ref} width={image.width} height={image.height} {...canvas} />;
}

const BLANK = new Float32Array(IMAGE_PIXELS);

type Props = CanvasProps & {
  /** 28x28 ink values, 0 = background; missing = blank. */
  pixels?: ArrayLike<number>;
  /** Multiplies a value into 0..255 ink (255 for floats in [0, 1], 1 for bytes). */
  scale: number;
};

/** A 28x28 digit, dark on white. */
export function DigitCanvas({ pixels, scale, ...canvas }: Props) {
  const image = useMemo(() => tiles(pixels ?? BLANK, [IMAGE_SIZE, IMAGE_SIZE, 1], 1, ink, () => 255 / scale), [pixels, scale]);
  return <ImageCanvas image={image} {...canvas} />;
}
