import { Component, useRef, useSyncExternalStore, type ReactNode } from 'react';
import { isOnline, subscribeOnline } from '../browser/offline';
import type { ModelSlot } from '../browser/predictor';
import { Charts } from './Charts';
import { MyDigitsPanel } from './MyDigitsPanel';
import type { Controller } from './controller';
import { DrawPanel } from './DrawPanel';
import { EvaluationPanel } from './EvaluationPanel';
import { useStore } from './store';
import { TrainingPanel } from './TrainingPanel';

export function App({ controller }: { controller: Controller }) {
  return (
    <ErrorBoundary>
      <Page controller={controller} />
    </ErrorBoundary>
  );
}

/** A render error shows what happened and a way back, never a blank page. */
class ErrorBoundary extends Component<{ children: ReactNode }, { message?: string }> {
  state: { message?: string } = {};

  static getDerivedStateFromError(e: unknown) {
    return { message: e instanceof Error ? e.message : String(e) };
  }

  render() {
    if (this.state.message === undefined) return this.props.children;
    return (
      <div className="notices">
        <div className="notice error" role="alert">
          <span>
            The page stopped working: {this.state.message}. Reload it; a model in training comes back from the last epoch saved in this browser.
          </span>
          <button type="button" onClick={() => location.reload()}>
            Reload the page
          </button>
        </div>
      </div>
    );
  }
}

function Page({ controller }: { controller: Controller }) {
  return (
    <>
      <header>
        <h1>MNIST trainer</h1>
        <OfflineBadge />
        <p>Draw a digit, train LeNet-5 in your browser, and take the weights with you.</p>
      </header>
      <Notices controller={controller} />
      <main>
        <div className="column">
          <ModelBar controller={controller} />
          <DrawPanel controller={controller} />
          <MyDigitsPanel controller={controller} />
          <EvaluationPanel controller={controller} />
        </div>
        <div className="column">
          <TrainingPanel controller={controller} />
          <section className="panel" aria-labelledby="curves-title">
            <h2 id="curves-title">Curves</h2>
            <Charts series={controller.store.batches} />
          </section>
        </div>
      </main>
      <footer>
        Everything runs in this page: the data, the models and the training. Nothing is sent anywhere.
      </footer>
    </>
  );
}

/** Shown while the browser is offline; the app keeps working from its cache (src/sw.ts). */
function OfflineBadge() {
  const online = useSyncExternalStore(subscribeOnline, isOnline);
  return online ? null : (
    <span className="offline" title="The app runs from its copy in this browser; training needs the MNIST data fetched once while online.">
      Offline
    </span>
  );
}

function ModelBar({ controller }: { controller: Controller }) {
  const available = useStore(controller.store, (s) => s.available);
  const selected = useStore(controller.store, (s) => s.selected);
  const file = useRef<HTMLInputElement>(null);
  return (
    <section className="panel model-bar" aria-label="Model">
      <label>
        Model
        <select value={selected} onChange={(e) => void controller.selectModel(e.target.value as ModelSlot)}>
          {(Object.keys(available) as ModelSlot[]).map((slot) => (
            <option key={slot} value={slot}>
              {available[slot]}
            </option>
          ))}
        </select>
      </label>
      <div className="buttons">
        <button type="button" onClick={() => void controller.download()} disabled={!available[selected]}>
          Download weights
        </button>
        <button type="button" onClick={() => file.current?.click()}>
          Load weights
        </button>
        <input
          ref={file}
          type="file"
          accept=".json,.bin,application/json,application/octet-stream"
          multiple
          hidden
          aria-label="Weights files (model.json and its .bin)"
          data-testid="weights-input"
          onChange={(e) => {
            const files = Array.from(e.target.files ?? []);
            e.target.value = '';
            if (files.length) void controller.loadFiles(files);
          }}
        />
      </div>
    </section>
  );
}

function Notices({ controller }: { controller: Controller }) {
  const notices = useStore(controller.store, (s) => s.notices);
  return (
    <div className="notices" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`notice ${n.kind}`} role={n.kind === 'error' ? 'alert' : 'note'}>
          <span>{n.text}</span>
          {n.action === 'retryData' && (
            <button type="button" onClick={controller.retryData}>
              Retry
            </button>
          )}
          {n.action === 'forget' && (
            <button type="button" onClick={() => void controller.forgetStored()}>
              Forget
            </button>
          )}
          <button type="button" className="dismiss" aria-label="Dismiss" onClick={() => controller.store.dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
