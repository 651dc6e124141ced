/**
 * Test-set results: accuracy, a 10x10 confusion matrix whose cells show their
 * digits, and a gallery of misclassified test images.
 */
import { useEffect, useMemo, useState } from 'react';
import { IMAGE_PIXELS } from '../core/data/mnist';
import { pct } from '../core/format';
import type { Controller } from './controller';
import { DigitCanvas } from './DigitCanvas';
import { useStore } from './store';

const GALLERY_MAX = 120;

export function EvaluationPanel({ controller }: { controller: Controller }) {
  const test = useStore(controller.store, (s) => s.test);
  const evaluating = useStore(controller.store, (s) => s.evaluating);
  const selected = useStore(controller.store, (s) => s.selected);
  const images = useStore(controller.store, (s) => s.testSet);
  const [cell, setCell] = useState<[number, number] | null>(null);

  useEffect(() => setCell(null), [test]);

  const shown = useMemo(() => {
    if (!test || !images) return [];
    const out: number[] = [];
    for (let i = 0; i < images.count && out.length < GALLERY_MAX; i++) {
      const t = images.labels[i];
      const p = test.predictions[i];
      if (cell ? t === cell[0] && p === cell[1] : t !== p) out.push(i);
    }
    return out;
  }, [test, images, cell]);

  return (
    <section className="panel evaluate" aria-labelledby="eval-title">
      <h2 id="eval-title">Test set (10,000 official MNIST images)</h2>
      <button type="button" onClick={() => void controller.evaluate()} disabled={evaluating}>
        {evaluating ? 'Evaluating…' : 'Evaluate the selected model'}
      </button>
      {!test && !evaluating && <p className="hint">Runs after every training epoch, or now for the model selected above ({selected}).</p>}
      {test && (
        <>
          <p className="test-accuracy" data-testid="test-accuracy">
            {test.model}: <strong>{pct(test.accuracy)}</strong> correct ({test.correct} of 10,000), loss{' '}
            {test.loss.toFixed(4)}, {test.seconds.toFixed(1)} s
          </p>
          <ConfusionMatrix confusion={test.confusion} selected={cell} onSelect={setCell} />
          <h3>
            {cell ? `True ${cell[0]}, predicted ${cell[1]}` : 'Misclassified digits'} ({shown.length}
            {shown.length === GALLERY_MAX ? '+' : ''}){' '}
            {cell && (
              <button type="button" onClick={() => setCell(null)}>
                Show all mistakes
              </button>
            )}
          </h3>
          <ul className="gallery" aria-label="Test digits">
            {images &&
              shown.map((i) => (
                <li key={i}>
                  <DigitCanvas pixels={images.images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS)} scale={1} className="digit" />
                  <span>
                    true {images.labels[i]} · said {test.predictions[i]}
                  </span>
                </li>
              ))}
          </ul>
        </>
      )}
    </section>
  );
}

function ConfusionMatrix({ confusion, selected, onSelect }: { confusion: number[][]; selected: [number, number] | null; onSelect: (c: [number, number]) => void }) {
  const max = Math.max(...confusion.flatMap((row, t) => row.filter((_, p) => p !== t)), 1);
  return (
    <table className="confusion" aria-label="Confusion matrix: rows are the true digit, columns the predicted digit">
      <thead>
        <tr>
          <th scope="col">true \ said</th>
          {confusion.map((_, p) => (
            <th key={p} scope="col">
              {p}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {confusion.map((row, t) => (
          <tr key={t}>
            <th scope="row">{t}</th>
            {row.map((v, p) => {
              const diag = t === p;
              const heat = diag ? 0 : v / max;
              const isSel = selected?.[0] === t && selected?.[1] === p;
              return (
                <td key={p} className={diag ? 'diag' : ''} style={diag ? undefined : { background: `rgba(220, 38, 38, ${heat * 0.85})` }}>
                  <button type="button" aria-pressed={isSel} disabled={v === 0} onClick={() => onSelect([t, p])} aria-label={`true ${t}, predicted ${p}: ${v}`}>
                    {v}
                  </button>
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
