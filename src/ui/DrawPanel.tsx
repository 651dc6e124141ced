/**
 * Draw and predict: the pad, what the model sees (the 28x28 preprocessing),
 * and the prediction, updated at most once per animation frame.
 */
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { inkFromRGBA, preprocessDrawing, topDigit } from '../core/drawing/digit';
import { evidence, judge, type Verdict } from '../core/model/unsure';
import type { Controller } from './controller';
import { Correction } from './Correction';
import { DigitCanvas } from './DigitCanvas';
import { DrawingPad, type DrawingPadHandle } from './DrawingPad';
import { LayerView } from './LayerView';
import { useStore } from './store';

interface Prediction {
  /** The pad's edit counter this prediction was made from. */
  changes?: number;
  empty: boolean;
  probabilities?: Float32Array;
  /** What the model's unsure rule makes of it; none for a model without a rule. */
  verdict?: Verdict;
  pixels?: Float32Array;
  error?: string;
}

export function DrawPanel({ controller }: { controller: Controller }) {
  const pad = useRef<DrawingPadHandle>(null);
  const frame = useRef(0);
  const latest = useRef(async () => {});
  const busy = useRef(false);
  const again = useRef(false);
  const changes = useRef(0);
  const [prediction, setPrediction] = useState<Prediction>({ empty: true });
  const [strokes, setStrokes] = useState(0);
  const selected = useStore(controller.store, (s) => s.selected);
  const weightsVersion = useStore(controller.store, (s) => s.weightsVersion);

  // Through `latest`, a prediction that ends after a model switch reruns with the new model.
  const schedule = useCallback(() => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      void latest.current();
    });
  }, []);

  const run = useCallback(async () => {
    const img = pad.current?.image();
    if (!img) return;
    if (busy.current) {
      again.current = true;
      return;
    }
    busy.current = true;
    const version = changes.current;
    try {
      const pre = preprocessDrawing(inkFromRGBA(img.data, img.width, img.height));
      if (pre.empty) {
        setPrediction({ empty: true, changes: version });
        controller.showDrawing(null);
      } else if (!controller.predictor.has(selected)) {
        setPrediction({ empty: false, pixels: pre.pixels, error: 'The model is still loading…', changes: version });
      } else {
        const probabilities = await controller.predictor.predict(selected, pre.pixels);
        const rule = controller.predictor.ruleOf(selected);
        const verdict = rule && judge(evidence(probabilities, pre.pixels), rule);
        setPrediction({ empty: false, pixels: pre.pixels, probabilities, verdict, changes: version });
        controller.showDrawing({ pixels: pre.pixels, strokes: pad.current!.strokes(), predicted: topDigit(probabilities) });
      }
    } catch (e) {
      setPrediction({ empty: false, error: (e as Error).message, changes: version });
    } finally {
      busy.current = false;
      if (again.current) {
        again.current = false;
        schedule();
      }
    }
  }, [controller, selected, schedule]);

  const onChange = useCallback(
    (_: DrawingPadHandle, n: number, edits: number) => {
      changes.current = edits;
      setStrokes(n);
      schedule();
    },
    [schedule],
  );

  useEffect(() => {
    latest.current = run;
    schedule();
  }, [run, schedule, weightsVersion]);
  useEffect(() => {
    controller.clearPad = () => pad.current?.clear();
  }, [controller]);
  // Stroke end -> prediction on screen, for the browser benchmark (Performance API, no globals).
  useEffect(() => {
    if (!prediction.probabilities || performance.getEntriesByName('stroke-end').length === 0) return;
    performance.measure('stroke-to-prediction', 'stroke-end');
    performance.clearMarks('stroke-end');
  }, [prediction]);
  // React's StrictMode unmounts and mounts again in development: a cancelled frame's id left
  // behind would make schedule() believe a frame is pending, and no prediction would ever come.
  useEffect(
    () => () => {
      cancelAnimationFrame(frame.current);
      frame.current = 0;
    },
    [],
  );

  return (
    <section className="panel draw" aria-labelledby="draw-title">
      <h2 id="draw-title">Draw a digit</h2>
      <div className="draw-row">
        <div className="pad-wrap">
          <DrawingPad ref={pad} onChange={onChange} onDigit={(d) => void controller.keep(d)} />
          <div className="buttons">
            <button type="button" onClick={() => pad.current?.undo()} disabled={strokes === 0} aria-keyshortcuts="Control+Z">
              Undo
            </button>
            <button type="button" onClick={() => pad.current?.clear()} disabled={strokes === 0} aria-keyshortcuts="Escape">
              Clear
            </button>
          </div>
          <p className="hint">Draw with mouse, finger or pen. Ctrl+Z undoes a stroke, Esc clears; a digit's key keeps the drawing as that digit.</p>
        </div>
        <div className="seen">
          <ModelInput pixels={prediction.pixels} />
          <PredictionView prediction={prediction}>
            <Correction controller={controller} />
          </PredictionView>
        </div>
      </div>
      <LayerView controller={controller} pixels={prediction.probabilities && prediction.pixels} />
    </section>
  );
}

/** The 28x28 image the model actually sees, enlarged without smoothing. */
function ModelInput({ pixels }: { pixels?: Float32Array }) {
  return (
    <figure className="model-input">
      <DigitCanvas pixels={pixels} scale={255} aria-label="The 28 by 28 image the model sees" role="img" />
      <figcaption>What the model sees (28×28)</figcaption>
    </figure>
  );
}

/** `children`: what goes beside the prediction, before the bars (the correction). */
function PredictionView({ prediction, children }: { prediction: Prediction; children: ReactNode }) {
  const p = prediction.probabilities;
  const best = p ? topDigit(p) : -1;
  const v = prediction.verdict;
  const text = prediction.empty
    ? 'The pad is empty: draw a digit.'
    : prediction.error
      ? prediction.error
      : v?.kind === 'not-a-digit'
        ? 'That does not look like a digit.'
        : `Prediction: ${best} (${((p![best] ?? 0) * 100).toFixed(1)}% sure)`;
  return (
    <div className="prediction">
      <div role="status" aria-live="polite" className="prediction-text">
        {v?.kind === 'unsure' ? (
          <>
            <span className="big-digit">
              {v.digits[0]}
              <span className="or"> or </span>
              {v.digits[1]}?
            </span>{' '}
            <span className="confidence">The model is unsure.</span>
          </>
        ) : !prediction.empty && p && v?.kind !== 'not-a-digit' ? (
          <>
            <span className="big-digit" aria-hidden="true">
              {best}
            </span>
            <span className="sr-only">{text}</span>
            <span className="confidence" aria-hidden="true">
              {((p[best] ?? 0) * 100).toFixed(1)}% sure
            </span>
          </>
        ) : (
          <span className="empty">{text}</span>
        )}
      </div>
      {children}
      <ol
        className="bars"
        aria-label="Probability of each digit"
        data-probabilities={p ? Array.from(p, (v) => v.toFixed(6)).join(' ') : ''}
        data-changes={prediction.changes ?? 0}
      >
        {Array.from({ length: 10 }, (_, d) => {
          const v = p?.[d] ?? 0;
          return (
            <li key={d} className={d === best ? 'top' : ''} aria-label={`${d}: ${(v * 100).toFixed(1)}%`}>
              <span className="bar-label">{d}</span>
              <span className="bar">
                <span className="fill" style={{ width: `${v * 100}%` }} />
              </span>
              <span className="bar-value">{(v * 100).toFixed(1)}%</span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
