/**
 * "Wrong? It is a …": the ten digits as buttons under the pad (or
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
    <section className="panel correction" aria-labelledby="correction-title">
      <h2 id="correction-title">Teach it your handwriting</h2>
      <div className="digit-buttons" role="group" aria-label="Wrong? It is a …">
        <span>Wrong? It is a …</span>
        {DIGITS.map((d) => (
          <button key={d} type="button" className="finger" aria-label={`It is a ${d}`} disabled={!drawing || d === drawing.predicted} onClick={() => void controller.keep(d)}>
            {d}
          </button>
        ))}
      </div>
      <div className="buttons">
        <button type="button" className="finger" disabled={!drawing} onClick={() => drawing && void controller.keep(drawing.predicted)}>
          Keep as an example
        </button>
      </div>
      <p className="hint">Or press the digit's key while the pad has focus. Kept digits go to My digits, and the pad clears for the next one.</p>
      {last && (
        <p aria-live="polite" className="kept" aria-label="Last kept">
          Kept as a {last.label}
          {last.predicted !== last.label ? ` (the model read ${last.predicted})` : ''}.{' '}
          <button type="button" className="finger" onClick={() => void controller.undoKeep()}>
            Undo
          </button>
        </p>
      )}
    </section>
  );
}
