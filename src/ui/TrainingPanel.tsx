/** Training settings, the Train/Pause/Resume/Stop controls and the progress line. */
import { useEffect, useState, type ChangeEvent, type FormEvent } from 'react';
import { formatDuration, pct } from '../core/format';
import type { Controller } from './controller';
import { SLOT_LABELS } from './reduce';
import { busyTraining, useStore } from './store';
import { BATCH_SIZES, DEFAULTS, MAX_EPOCHS, MAX_SEED, readSettings, toQuery, toTrainSettings, valueErrors, type FormValues } from './urlSettings';

const SIZES: Record<string, string> = {
  all: 'Full (55,000 images)',
  10000: '10,000 images',
  2000: '2,000 images (quick demo)',
  500: '500 images (a few seconds)',
};

const AUGMENT_LABELS: Record<string, string> = {
  reference: 'Reference: rotate ±10°, zoom ±10%, shift ±10%',
  handwriting: 'Handwriting: ±15°, ±15%, ±12%, slant, stroke thickness',
  styles: 'Handwriting + continental 1 and 7 (flag, crossbar)',
  elastic: 'Handwriting + elastic distortions (up to 2 px)',
  off: 'Off',
};

const SCHEDULE_LABELS: Record<string, string> = {
  plateau: 'Reduce on plateau (×0.2 after 2 flat epochs)',
  cosine: 'Cosine with warm-up',
  onecycle: 'One-cycle',
  exponential: 'Exponential (×0.85 per epoch)',
  constant: 'Constant',
};

/** The address of this page with the form's values in it. */
function linkTo(values: FormValues): string {
  const url = new URL(location.href);
  url.search = toQuery(values);
  return url.href;
}

export function TrainingPanel({ controller }: { controller: Controller }) {
  const { store } = controller;
  const status = useStore(store, (s) => s.status);
  const progress = useStore(store, (s) => s.progress);
  const backend = useStore(store, (s) => s.backend);
  const timing = useStore(store, (s) => s.timing);
  const timed = useStore(store, (s) => s.timed);
  const measuring = useStore(store, (s) => s.measuring);
  const data = useStore(store, (s) => s.data);
  const finished = useStore(store, (s) => s.finishedMessage);
  const resumable = useStore(store, (s) => s.resumable);
  const evaluating = useStore(store, (s) => s.evaluating);
  const tensors = useStore(store, (s) => s.tensorsPerEpoch);
  const savedEpoch = useStore(store, (s) => s.savedEpoch);
  const history = useStore(store, (s) => s.history);
  const stored = useStore(store, (s) => s.stored);

  const run = useStore(store, (s) => s.run);
  /** A fine-tune holds the training worker until it ends. */
  const tuning = useStore(store, (s) => s.tune?.state === 'running');

  // The form starts from the address and writes every change back to it, so the address is always a link to these settings.
  const [initial] = useState(() => readSettings(location.search));
  const [values, setValues] = useState(initial.values);
  useEffect(() => initial.messages.forEach((m) => store.notify('error', m)), [initial, store]);
  useEffect(() => window.history.replaceState(window.history.state, '', linkTo(values)), [values]);
  const [error, setError] = useState('');
  /** Says whether "Copy link" worked. */
  const [linkNote, setLinkNote] = useState('');
  /** Asking before a new run replaces the one saved in this browser. */
  const [asking, setAsking] = useState(false);

  const active = busyTraining({ status });

  const update = (patch: Partial<FormValues>) => {
    setValues((v) => ({ ...v, ...patch }));
    setLinkNote('');
  };
  const bind = (key: keyof FormValues) => ({
    value: values[key],
    onChange: (e: ChangeEvent<HTMLInputElement | HTMLSelectElement>) => update({ [key]: e.target.value }),
    disabled: active,
  });

  const settings = () => {
    const errors = valueErrors(values);
    setError(errors.join(' '));
    return errors.length ? undefined : toTrainSettings(values);
  };

  const train = () => {
    setAsking(false);
    const s = settings();
    if (s) controller.train(s, linkTo(values));
  };

  const measure = () => {
    const s = settings();
    if (s) controller.measureBackends(s);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!stored) train();
    else if (settings()) setAsking(true);
  };

  const copyLink = () => {
    const failed = () => setLinkNote('The clipboard is not available here: copy the link from the address bar.');
    if (!navigator.clipboard) return failed();
    navigator.clipboard.writeText(linkTo(values)).then(() => setLinkNote('Link copied.'), failed);
  };

  const done = progress ? ((progress.epoch - 1) * progress.batches + progress.batch) / (progress.epochs * progress.batches) : 0;

  return (
    <section className="panel train" aria-labelledby="train-title">
      <h2 id="train-title">Train in your browser</h2>
      <form onSubmit={submit} className="settings">
        <label>
          Architecture
          <select {...bind('model')}>
            <option value="modified">Modified LeNet-5 (389k parameters)</option>
            <option value="original">Original LeNet-5 (62k parameters)</option>
          </select>
        </label>
        <label>
          Epochs
          <input type="number" min={1} max={MAX_EPOCHS} {...bind('epochs')} />
        </label>
        <label>
          Batch size
          <select {...bind('batch')}>
            {BATCH_SIZES.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
        <label>
          Learning rate
          <input type="text" inputMode="decimal" {...bind('lr')} />
        </label>
        <label>
          Schedule
          <select {...bind('schedule')}>
            {Object.entries(SCHEDULE_LABELS).map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Training set
          <select {...bind('limit')}>
            {Object.entries(SIZES).map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Backend
          <select {...bind('backend')}>
            <option value="auto">Fastest available</option>
            <option value="webgl">WebGL (GPU)</option>
            <option value="wasm">WebAssembly (CPU)</option>
            <option value="cpu">Plain JavaScript (slow)</option>
          </select>
        </label>
        <label>
          Seed
          <input type="number" min={0} max={MAX_SEED} {...bind('seed')} />
        </label>
        <label className="wide">
          Augmentation
          <select {...bind('augment')}>
            {Object.entries(AUGMENT_LABELS).map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={values.test === 'on'} onChange={(e) => update({ test: e.target.checked ? 'on' : 'off' })} disabled={active} />
          Test on the 10,000 test images after every epoch
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="buttons">
          <button type="submit" className="primary" disabled={active || tuning || measuring || data.state === 'error'} aria-describedby="train-why">
            Train
          </button>
          <button type="button" onClick={controller.pause} disabled={status !== 'running'}>
            Pause
          </button>
          <button type="button" onClick={controller.resume} disabled={status !== 'paused'}>
            Resume
          </button>
          <button type="button" onClick={controller.stop} disabled={!(status === 'running' || status === 'paused')}>
            Stop
          </button>
          <span className="hint" id="train-why">
            {tuning && 'A fine-tune on your digits is running (My digits): train once it has finished or been stopped.'}
          </span>
        </div>
        <div className="buttons">
          <button type="button" onClick={copyLink}>
            Copy link
          </button>
          <button type="button" onClick={() => update(DEFAULTS)} disabled={active}>
            Reset to defaults
          </button>
          <button type="button" onClick={controller.downloadRun} disabled={!run}>
            Download the run
          </button>
          <span className="hint" aria-live="polite" data-testid="link-note">
            {linkNote}
          </span>
        </div>
        {asking && stored && !active && !tuning && (
          <div className="confirm" role="group" aria-label="Replace the model saved in this browser?" aria-describedby="replace-question">
            <p id="replace-question">
              Training a new model replaces your {stored.model} model saved in this browser (epoch {stored.epochsDone} of {stored.epochs}). To keep
              a copy, select “{SLOT_LABELS.trained}” and download its weights first.
            </p>
            <button type="button" className="primary" onClick={train}>
              Replace and start
            </button>{' '}
            <button type="button" onClick={() => setAsking(false)} autoFocus>
              Cancel
            </button>
          </div>
        )}
        {resumable && !active && (
          <p className="resume-note">
            A {resumable.model} run stopped at epoch {resumable.epochsDone} of {resumable.epochs}.{' '}
            <button type="button" onClick={() => controller.resumeStored()} disabled={tuning || data.state === 'error'}>
              Continue training
            </button>{' '}
            <button type="button" onClick={() => void controller.forgetStored()}>
              Discard
            </button>
          </p>
        )}
      </form>
      <div className="progress" aria-live="off">
        <progress max={1} value={done} aria-label="Training progress" />
        <p className="progress-text" data-testid="progress-text">
          {status === 'starting' && 'Starting…'}
          {progress && active && (
            <>
              Epoch {progress.epoch} of {progress.epochs} · batch {progress.batch} of {progress.batches} · ETA {formatDuration(progress.etaSeconds)} ·{' '}
              {progress.imagesPerSecond.toFixed(0)} images/s · learning rate {progress.learningRate.toExponential(1)}
              {status === 'paused' && ' · paused'}
              {evaluating && ' · testing on 10,000 images…'}
            </>
          )}
          {!active && finished}
        </p>
        {history.length > 0 && (
          <details className="epochs" open>
            <summary>Epochs</summary>
            <table data-testid="epochs">
              <thead>
                <tr>
                  <th scope="col">epoch</th>
                  <th scope="col">train loss</th>
                  <th scope="col">train acc.</th>
                  <th scope="col">val. loss</th>
                  <th scope="col">val. acc.</th>
                  <th scope="col">learning rate</th>
                  <th scope="col">time</th>
                  <th scope="col">images/s</th>
                </tr>
              </thead>
              <tbody>
                {history.map((h) => (
                  <tr key={h.epoch}>
                    <td>{h.epoch}</td>
                    <td>{h.trainLoss.toFixed(4)}</td>
                    <td>{pct(h.trainAccuracy)}</td>
                    <td>{Number.isFinite(h.valLoss) ? h.valLoss.toFixed(4) : '–'}</td>
                    <td>{Number.isFinite(h.valAccuracy) ? pct(h.valAccuracy) : '–'}</td>
                    <td>{h.learningRate.toExponential(1)}</td>
                    <td>{formatDuration(h.seconds)}</td>
                    <td data-ips={h.imagesPerSecond}>{h.imagesPerSecond.toFixed(0)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        )}
        {savedEpoch !== undefined && (
          <p className="backend" data-testid="saved">
            Saved in this browser after epoch {savedEpoch}: a reload or a closed tab resumes from there.
          </p>
        )}
        {tensors.length > 0 && (
          <p className="backend" data-testid="tensors">
            Tensors in memory after each epoch: {tensors.join(', ')}
          </p>
        )}
        <p className="backend" data-testid="trials">
          {timing ? (
            <>
              Timing {timing.backend}… {Math.floor(timing.seconds)} s of {Math.ceil(timing.budget)}{' '}
              <button type="button" onClick={controller.cancelTiming}>
                Cancel timing
              </button>
            </>
          ) : (
            <>
              {timed && `${timed} `}
              <button type="button" onClick={measure} disabled={active || tuning || measuring || data.state === 'error'}>
                Measure backends again
              </button>
            </>
          )}
        </p>
        <p className="backend" data-testid="backend">
          {backend ? (
            <>
              Backend: <strong>{backend.name}</strong>
              {backend.workers > 1 ? ` (${backend.workers} workers, data-parallel)` : ''} — {backend.reason}
            </>
          ) : data.state === 'loading' ? (
            <>
              Loading the MNIST data{data.total ? `: ${(data.received! / 1e6).toFixed(1)} of ${(data.total / 1e6).toFixed(1)} MB` : ' (11 MB)'}…{' '}
              <progress max={data.total ?? 1} value={data.total ? data.received : undefined} aria-label="MNIST download" />
            </>
          ) : (
            'The backend is chosen when training starts.'
          )}
        </p>
      </div>
    </section>
  );
}
