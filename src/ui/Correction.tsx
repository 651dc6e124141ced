/**
 * "Wrong? It is a …": beside the prediction, the ten digits as buttons (or
 * the digit keys while the pad has focus) keep the drawing with its right
 * label; "Keep as an example" keeps a right one. Undo takes the last back.
 */
import type { Controller } from './controller';
import { useStore } from './store';

const DIGITS = Array.from({ length: 10 }, (_, d) => d);

export function Correction({ controller }: { controller: Controller }) {
  const drawing = useStore(controller.store, (s) => s.drawing);
  const last = useStore(controller.store, (s) => s.lastKept);
  return (
    <div className="correction">
      <div className="digit-buttons" role="group" aria-label="Wrong? It is a …">
        <span>Wrong? It is a …</span>
        {DIGITS.map((d) => (
          <button key={d} type="button" className="finger" aria-label={`It is a ${d}`} disabled={!drawing || d === drawing.predicted} onClick={() => void controller.keep(d)}>
            {d}
          </button>
        ))}
        <button type="button" className="finger" disabled={!drawing} onClick={() => drawing && void controller.keep(drawing.predicted)}>
          Keep as an example
        </button>
      </div>
      {last && (
        <p aria-live="polite" className="kept" aria-label="Last kept">
          Kept as a {last.label}
          {last.predicted !== last.label ? ` (the model read ${last.predicted})` : ''} in My digits.{' '}
          <button type="button" className="finger" onClick={() => void controller.undoKeep()}>
            Undo
          </button>
        </p>
      )}
    </div>
  );
}
