/**
 * My digits: the drawings a person kept, grouped by label, each marked by
 * how the selected model reads it; relabel, delete, export and import them,
 * and fine-tune the model on them.
 */
import { useRef } from 'react';
import type { StoredDigit } from '../browser/digitStore';
import { pct } from '../core/format';
import { recommendKeeping, type FineTuneScores } from '../core/train/fineTuneRecipe';
import type { Controller } from './controller';
import { DigitCanvas } from './DigitCanvas';
import { SLOT_LABELS } from './reduce';
import { busyTraining, useStore, type AppState } from './store';

const DIGITS = Array.from({ length: 10 }, (_, d) => d);

export function MyDigitsPanel({ controller }: { controller: Controller }) {
  const digits = useStore(controller.store, (s) => s.digits);
  const readings = useStore(controller.store, (s) => s.readings);
  const selected = useStore(controller.store, (s) => s.selected);
  const file = useRef<HTMLInputElement>(null);
  const right = digits.filter((d) => readings[d.id] === d.label).length;
  return (
    <section className="panel my-digits" aria-labelledby="my-digits-title">
      <h2 id="my-digits-title">My digits</h2>
      <p className="hint">Your digits stay in this browser: nothing is sent anywhere.</p>
      <p aria-live="polite" aria-label="How the model reads your digits">
        {digits.length
          ? `${digits.length} kept; ${SLOT_LABELS[selected]} reads ${right} of them right.`
          : 'None kept yet: correct a prediction, or keep a drawing as an example.'}
      </p>
      {DIGITS.map((label) => {
        const group = digits.filter((d) => d.label === label);
        return group.length ? (
          <div key={label} className="digit-group">
            <h3>{label}</h3>
            <ul aria-label={`Your ${label}s`}>
              {group.map((d) => (
                <DigitItem key={d.id} digit={d} reading={readings[d.id]} controller={controller} />
              ))}
            </ul>
          </div>
        ) : null;
      })}
      <div className="buttons">
        <button type="button" className="finger" disabled={!digits.length} onClick={() => controller.exportDigits('json')}>
          Export (JSON)
        </button>
        <button type="button" className="finger" disabled={!digits.length} onClick={() => controller.exportDigits('idx')}>
          Export (MNIST IDX zip)
        </button>
        <button type="button" className="finger" onClick={() => file.current?.click()}>
          Import
        </button>
        <button type="button" className="finger" disabled={!digits.length} onClick={() => confirm(`Delete all ${digits.length} of your digits from this browser?`) && void controller.removeAllDigits()}>
          Delete all
        </button>
        <input
          ref={file}
          type="file"
          accept=".json,.zip,application/json,application/zip"
          hidden
          aria-label="Digits file (JSON or a zip of IDX files)"
          data-testid="digits-input"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void controller.importDigits(f);
          }}
        />
      </div>
      <FineTune controller={controller} count={digits.length} />
    </section>
  );
}

function DigitItem({ digit, reading, controller }: { digit: StoredDigit; reading: number | undefined; controller: Controller }) {
  const right = reading === digit.label;
  const read = reading === undefined ? 'not read yet' : right ? 'read right' : `read as ${reading}`;
  return (
    <li className={reading === undefined ? '' : right ? 'right' : 'wrong'} aria-label={`A ${digit.label}, ${read}`}>
      <DigitCanvas pixels={digit.image} scale={1} aria-hidden="true" />
      <span className="reading">{reading === undefined ? '' : right ? '✓' : `✗ ${reading}`}</span>
      <select className="finger" aria-label="Relabel" value={digit.label} onChange={(e) => void controller.relabel(digit, Number(e.target.value))}>
        {DIGITS.map((d) => (
          <option key={d} value={d}>
            {d}
          </option>
        ))}
      </select>
      <button type="button" className="finger" aria-label="Delete this digit" onClick={() => void controller.removeDigit(digit.id)}>
        ×
      </button>
    </li>
  );
}

function FineTune({ controller, count }: { controller: Controller; count: number }) {
  const tune = useStore(controller.store, (s) => s.tune);
  const training = useStore(controller.store, busyTraining);
  const measuring = useStore(controller.store, (s) => s.measuring);
  const part = tune?.fold ? `fold ${tune.fold} of ${tune.folds} of the cross-validation, ` : tune?.folds ? 'the model to keep, ' : '';
  return (
    <div className="fine-tune">
      <button type="button" className="finger" disabled={!count || training || measuring || tune?.state === 'running'} aria-describedby="fine-tune-why" onClick={() => void controller.fineTune()}>
        Fine-tune on my digits
      </button>{' '}
      <span className="hint" id="fine-tune-why">
        {training && 'Training is running: fine-tune once it has finished or been stopped.'}
        {measuring && !training && 'The backends are being timed: fine-tune once that has finished.'}
      </span>
      {tune?.state === 'running' && (
        <p aria-live="polite" aria-label="Fine-tune progress">
          Fine-tuning {tune.from}: {tune.phase === 'scoring' ? 'scoring…' : `${part}step ${tune.step} of ${tune.steps}`}{' '}
          <button type="button" className="finger" onClick={controller.stopTune}>
            Stop
          </button>
        </p>
      )}
      {tune?.state === 'failed' && (
        <p role="alert">
          {tune.message}{' '}
          <button type="button" className="finger" onClick={controller.discardTuned}>
            OK
          </button>
        </p>
      )}
      {tune?.state === 'done' && <TuneResult tune={tune} controller={controller} />}
    </div>
  );
}

function personalRow(p: FineTuneScores['personal']): string {
  if (!p) return 'your digits (keep two to have one scored)';
  if (!p.folds) return `your digits it did not train on (${p.count})`;
  return `your digits, by ${p.folds}-fold cross-validation (${p.count}; each scored by a fine-tune that did not see it; the model to keep trained on all)`;
}

function TuneResult({ tune, controller }: { tune: NonNullable<AppState['tune']>; controller: Controller }) {
  const s = tune.scores!;
  const row = (what: string, p: FineTuneScores['validation'] | null) => (
    <tr>
      <th scope="row">{what}</th>
      <td>{p ? pct(p.before) : '-'}</td>
      <td>{p ? pct(p.after) : '-'}</td>
    </tr>
  );
  const keep = recommendKeeping(s);
  const drop = (s.validation.before - s.validation.after) * 100;
  return (
    <div className="tune-result" aria-label="Fine-tune result">
      <table>
        <thead>
          <tr>
            <th scope="col">accuracy</th>
            <th scope="col">before</th>
            <th scope="col">after</th>
          </tr>
        </thead>
        <tbody>
          {row(personalRow(s.personal), s.personal)}
          {row(`MNIST validation split (${s.validation.count.toLocaleString('en')}; decides)`, s.validation)}
          {s.test && row(`MNIST test set (${s.test.count.toLocaleString('en')}; only reported)`, s.test)}
        </tbody>
      </table>
      <p aria-live="polite" aria-label="Recommendation">
        {keep
          ? `Recommended: it reads MNIST's validation split as well as before (within 0.1 point), in ${Math.round(tune.seconds ?? 0)} s.`
          : `Not recommended: it reads MNIST's validation split ${drop.toFixed(2)} points worse than before.`}
      </p>
      <div className="buttons">
        <button type="button" className="finger" onClick={() => void controller.keepTuned()}>
          Keep as “Tuned to your handwriting”
        </button>
        <button type="button" className="finger" onClick={controller.discardTuned}>
          Discard
        </button>
      </div>
    </div>
  );
}
