/**
 * Inside the network, for the drawing on the pad: the feature maps of every
 * convolution, the first layer's filters and a saliency map, redrawn as the
 * drawing changes and as the weights do while a model trains. Nothing runs
 * while it is closed.
 */
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Inspector, type InspectRequest } from '../browser/inspector';
import { IMAGE_PIXELS, IMAGE_SIZE } from '../core/data/mnist';
import type { Inspection } from '../core/model/inspect';
import type { Controller } from './controller';
import { ImageCanvas } from './DigitCanvas';
import { useStore } from './store';
import { diverging, ink, maxAbs, tiles, type Rgba } from './tiles';

const BLANK = new Float32Array(IMAGE_PIXELS);

interface Shown {
  request: InspectRequest;
  result?: Inspection;
  error?: string;
}

export function LayerView({ controller, pixels }: { controller: Controller; pixels?: Float32Array }) {
  const [open, setOpen] = useState(false);
  const [shown, setShown] = useState<Shown>();
  const inspector = useRef<Inspector>(null);
  const selected = useStore(controller.store, (s) => s.selected);
  const weightsVersion = useStore(controller.store, (s) => s.weightsVersion);

  useEffect(() => {
    if (!open || !controller.predictor.has(selected)) return;
    inspector.current ??= new Inspector(controller.predictor, (request, r) =>
      setShown(r instanceof Error ? { request, error: r.message } : { request, result: r }),
    );
    inspector.current.request({ slot: selected, weightsVersion, pixels: pixels ?? BLANK });
  }, [open, controller, selected, weightsVersion, pixels]);

  const drawn = shown?.request.pixels !== BLANK;
  return (
    <details
      className="layers"
      onToggle={(e) => setOpen(e.currentTarget.open)}
      data-weights-version={shown?.result ? shown.request.weightsVersion : ''}
      data-digit={shown?.result && drawn ? shown.result.digit : ''}
    >
      <summary>Inside the network</summary>
      {shown?.error && <p className="form-error">The layer view failed: {shown.error}</p>}
      {shown?.result && <Layers inspection={shown.result} pixels={drawn ? shown.request.pixels : undefined} />}
    </details>
  );
}

function Layers({ inspection, pixels }: { inspection: Inspection; pixels?: Float32Array }) {
  const { maps, filters, digit, saliency } = inspection;
  const images = useMemo(
    () => ({
      saliency: pixels && saliencyImage(saliency, pixels),
      filters: filters && tiles(filters.values, [filters.size, filters.size, filters.count], 8, diverging, (k) => maxAbs(filters.values, filters.count, k)),
      maps: maps.map((m) => tiles(m.values, [m.height, m.width, m.channels], m.channels > 32 ? 16 : 8, ink, () => maxAbs(m.values))),
    }),
    [maps, filters, saliency, pixels],
  );
  return (
    <div className="layer-grid">
      {images.saliency ? (
        <Figure image={images.saliency} label="saliency">
          What made it a {digit}: ink in red pushed the model towards {digit}, in blue away from it (gradient × input: one backward pass, so it keeps up with your pen).
        </Figure>
      ) : (
        <p className="hint">Draw a digit to see what each layer makes of it.</p>
      )}
      {images.filters && filters && (
        <Figure image={images.filters} label="filters">
          The first layer's {filters.count} filters ({filters.size}×{filters.size}), red positive, blue negative.
        </Figure>
      )}
      {pixels &&
        maps.map((m, i) => (
          <Figure key={m.conv} image={images.maps[i]} label={`maps-${m.conv}`}>
            {m.conv}
            {m.shown !== m.conv ? ` (after ${m.shown})` : ''}: {m.channels} feature maps, {m.height}×{m.width}
          </Figure>
        ))}
    </div>
  );
}

function Figure({ image, label, children }: { image: Rgba; label: string; children: ReactNode }) {
  return (
    <figure data-testid={label}>
      <ImageCanvas image={image} style={{ width: Math.min(image.width * 5, 340) }} />
      <figcaption>{children}</figcaption>
    </figure>
  );
}

/** The drawing in light grey under the saliency's colours. */
function saliencyImage(saliency: Float32Array, pixels: Float32Array): Rgba {
  const image = tiles(saliency, [IMAGE_SIZE, IMAGE_SIZE, 1], 1, diverging, () => maxAbs(saliency));
  for (let i = 0; i < IMAGE_PIXELS; i++) {
    for (let ch = 0; ch < 3; ch++) image.data[i * 4 + ch] -= 60 * pixels[i] * (image.data[i * 4 + ch] / 255);
  }
  return image;
}
