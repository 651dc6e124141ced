/**
 * Inside the network, for the drawing on the pad: the feature maps of every
 * convolution, the first layer's filters and a saliency map, redrawn as the
 * drawing changes and as the weights do while a model trains. Nothing runs
 * while it is closed.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Inspector, type InspectRequest } from '../browser/inspector';
import { IMAGE_PIXELS } from '../core/data/mnist';
import type { InspectionPictures } from '../core/model/inspect';
import type { Rgba } from '../core/pictures';
import type { Controller } from './controller';
import { ImageCanvas } from './DigitCanvas';
import { useStore } from './store';

const BLANK = new Float32Array(IMAGE_PIXELS);

interface Shown {
  request: InspectRequest;
  result?: InspectionPictures;
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

  const result = shown?.result;
  const drawn = shown?.request.pixels !== BLANK;
  return (
    <details
      className="layers"
      onToggle={(e) => setOpen(e.currentTarget.open)}
      data-weights-version={result ? shown.request.weightsVersion : ''}
      data-digit={result && drawn ? result.digit : ''}
    >
      <summary>Inside the network</summary>
      {shown?.error && <p className="form-error">The layer view failed: {shown.error}</p>}
      {result && (
        <div className="layer-grid">
          {drawn ? (
            <Figure picture={result.saliency} label="saliency">
              What made it a {result.digit}: ink in red pushed the model towards {result.digit}, in blue away from it (gradient × input: one backward
              pass, so it keeps up with your pen).
            </Figure>
          ) : (
            <p className="hint">Draw a digit to see what each layer makes of it.</p>
          )}
          {result.filters && (
            <Figure picture={result.filters.picture} label="filters">
              The first layer's {result.filters.count} filters ({result.filters.size}×{result.filters.size}), red positive, blue negative.
            </Figure>
          )}
          {drawn &&
            result.maps.map((m) => (
              <Figure key={m.conv} picture={m.picture} label={`maps-${m.conv}`}>
                {m.conv}
                {m.shown !== m.conv ? ` (after ${m.shown})` : ''}: {m.channels} feature maps, {m.height}×{m.width}
              </Figure>
            ))}
        </div>
      )}
    </details>
  );
}

function Figure({ picture, label, children }: { picture: Rgba; label: string; children: ReactNode }) {
  return (
    <figure data-testid={label}>
      <ImageCanvas image={picture} style={{ width: Math.min(picture.width * 5, 340) }} />
      <figcaption>{children}</figcaption>
    </figure>
  );
}
