/** Training settings, the Train/Pause/Resume/Stop controls and the progress line. */
import { useState, type FormEvent } from 'react';
import { DEFAULT_AUGMENT, HANDWRITING_AUGMENT, STYLES_AUGMENT, type AugmentConfig } from '../core/train/types';
import type { BackendName } from '../kernels/backends';
import { DEFAULT_SCHEDULES, type ScheduleKind } from '../core/train/schedule';
import type { ModelName } from '../core/model/models';
import { formatDuration, pct } from '../core/format';
import type { Controller, TrainSettings } from './controller';
import { SLOT_LABELS } from './reduce';
import { useStore } from './store';

const SIZES: { label: string; value?: number }[] = [
  { label: 'Full (55,000 images)' },
  { label: '10,000 images', value: 10000 },
  { label: '2,000 images (quick demo)', value: 2000 },
  { label: '500 images (a few seconds)', value: 500 },
];

const AUGMENTS: { label: string; config: AugmentConfig | null }[] = [
  { label: 'Reference: rotate ±10°, zoom ±10%, shift ±10%', config: DEFAULT_AUGMENT },
  { label: 'Handwriting: ±15°, ±15%, ±12%, slant, stroke thickness', config: HANDWRITING_AUGMENT },
  { label: 'Handwriting + continental 1 and 7 (flag, crossbar)', config: STYLES_AUGMENT },
  { label: 'Off', config: null },
];

const SCHEDULE_LABELS: Record<ScheduleKind, string> = {
  plateau: 'Reduce on plateau (×0.2 after 2 flat epochs)',
  cosine: 'Cosine with warm-up',
  onecycle: 'One-cycle',
  exponential: 'Exponential (×0.85 per epoch)',
  constant: 'Constant',
};

export function TrainingPanel({ controller }: { controller: Controller }) {
  const { store } = controller;
  const status = useStore(store, (s) => s.status);
  const progress = useStore(store, (s) => s.progress);
  const backend = useStore(store, (s) => s.backend);
  const data = useStore(store, (s) => s.data);
  const finished = useStore(store, (s) => s.finishedMessage);
  const resumable = useStore(store, (s) => s.resumable);
  const evaluating = useStore(store, (s) => s.evaluating);
  const tensors = useStore(store, (s) => s.tensorsPerEpoch);
  const savedEpoch = useStore(store, (s) => s.savedEpoch);
  const history = useStore(store, (s) => s.history);
  const stored = useStore(store, (s) => s.stored);

  const [model, setModel] = useState<ModelName>('modified');
  const [epochs, setEpochs] = useState(3);
  const [batchSize, setBatchSize] = useState(64);
  const [learningRate, setLearningRate] = useState('0.001');
  const [schedule, setSchedule] = useState<ScheduleKind>('plateau');
  const [augment, setAugment] = useState(0);
  const [testEveryEpoch, setTestEveryEpoch] = useState(true);
  const [size, setSize] = useState(2);
  const [backendChoice, setBackendChoice] = useState<'' | BackendName>('');
  const [error, setError] = useState('');
  /** Asking before a new run replaces the one saved in this browser. */
  const [asking, setAsking] = useState(false);

  const active = status === 'running' || status === 'paused' || status === 'starting' || status === 'stopping';

  const settings = (): TrainSettings | undefined => {
    const lr = Number(learningRate);
    if (!(lr > 0) || !Number.isFinite(lr)) return void setError('The learning rate must be a positive number, such as 0.001.');
    if (!Number.isInteger(epochs) || epochs < 1 || epochs > 200) return void setError('Epochs must be a whole number from 1 to 200.');
    setError('');
    return {
      config: {
        model,
        epochs,
        batchSize,
        learningRate: lr,
        schedule: DEFAULT_SCHEDULES[schedule],
        augment: AUGMENTS[augment].config,
        seed: Math.floor(Math.random() * 1e9),
      },
      trainLimit: SIZES[size].value,
      backend: backendChoice || undefined,
      testEveryEpoch,
    };
  };

  const train = () => {
    setAsking(false);
    const s = settings();
    if (s) controller.train(s);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!stored) train();
    else if (settings()) setAsking(true);
  };

  const done = progress ? ((progress.epoch - 1) * progress.batches + progress.batch) / (progress.epochs * progress.batches) : 0;

  return (
    <section className="panel train" aria-labelledby="train-title">
      <h2 id="train-title">Train in your browser</h2>
      <form onSubmit={submit} className="settings">
        <label>
          Architecture
          <select value={model} onChange={(e) => setModel(e.target.value as ModelName)} disabled={active}>
            <option value="modified">Modified LeNet-5 (389k parameters)</option>
            <option value="original">Original LeNet-5 (62k parameters)</option>
          </select>
        </label>
        <label>
          Epochs
          <input type="number" min={1} max={200} value={epochs} onChange={(e) => setEpochs(Number(e.target.value))} disabled={active} />
        </label>
        <label>
          Batch size
          <select value={batchSize} onChange={(e) => setBatchSize(Number(e.target.value))} disabled={active}>
            {[32, 64, 128, 256].map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
        <label>
          Learning rate
          <input type="text" inputMode="decimal" value={learningRate} onChange={(e) => setLearningRate(e.target.value)} disabled={active} />
        </label>
        <label>
          Schedule
          <select value={schedule} onChange={(e) => setSchedule(e.target.value as ScheduleKind)} disabled={active}>
            {(Object.keys(SCHEDULE_LABELS) as ScheduleKind[]).map((k) => (
              <option key={k} value={k}>
                {SCHEDULE_LABELS[k]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Training set
          <select value={size} onChange={(e) => setSize(Number(e.target.value))} disabled={active}>
            {SIZES.map((s, i) => (
              <option key={s.label} value={i}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Backend
          <select value={backendChoice} onChange={(e) => setBackendChoice(e.target.value as '' | BackendName)} disabled={active}>
            <option value="">Fastest available</option>
            <option value="webgl">WebGL (GPU)</option>
            <option value="wasm">WebAssembly (CPU)</option>
            <option value="cpu">Plain JavaScript (slow)</option>
          </select>
        </label>
        <label className="wide">
          Augmentation
          <select value={augment} onChange={(e) => setAugment(Number(e.target.value))} disabled={active}>
            {AUGMENTS.map((a, i) => (
              <option key={a.label} value={i}>
                {a.label}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={testEveryEpoch} onChange={(e) => setTestEveryEpoch(e.target.checked)} disabled={active} />
          Test on the 10,000 test images after every epoch
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="buttons">
          <button type="submit" className="primary" disabled={active || data.state === 'error'}>
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
        </div>
        {asking && stored && !active && (
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
            <button type="button" onClick={() => controller.resumeStored()} disabled={data.state === 'error'}>
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
