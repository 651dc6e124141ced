/**
 * The page's state, outside React so the worker's events (hundreds per
 * second) do not each cost a render: components subscribe and read snapshots;
 * chart series are append-only arrays the charts poll.
 */
import { useSyncExternalStore } from 'react';
import type { BackendName } from '../kernels/backends';
import type { MnistSet } from '../core/data/mnist';
import type { RunSettings } from '../core/train/run';
import type { BatchEvent, EpochRecord, StopReason, TrainConfig } from '../core/train/types';
import type { ModelSlot } from '../browser/predictor';
import type { StoredDigit } from '../browser/digitStore';
import type { PenPoint } from '../core/drawing/pendigits';
import type { FineTuneScores } from '../core/train/fineTuneRecipe';
import type { TestResult } from '../worker/protocol';

export type TrainingStatus = 'idle' | 'starting' | 'running' | 'paused' | 'stopping' | 'finished' | 'failed';

export interface Notice {
  id: number;
  kind: 'info' | 'error';
  text: string;
  /** A button on the notice: Retry loading the data, or Forget the checkpoint stored in this browser. */
  action?: 'retryData' | 'forget';
}

/** Adds a notice, replacing any with the same text; ids only need to be unique among those shown. */
export function addNotice(notices: Notice[], kind: Notice['kind'], text: string, action?: Notice['action']): Notice[] {
  const id = Math.max(0, ...notices.map((n) => n.id)) + 1;
  return [...notices.filter((n) => n.text !== text), { id, kind, text, action }];
}

export type Progress = Omit<BatchEvent, 'type' | 'step'> & { etaSeconds: number };

export interface AppState {
  /** idle: not asked for yet (the data is fetched when the person first trains or evaluates). */
  data: { state: 'idle' | 'loading' | 'ready' | 'error'; message?: string; received?: number; total?: number };
  /** The official test set, from the worker, for the gallery of mistakes. */
  testSet?: MnistSet;
  backend?: { name: BackendName; reason: string; workers: number };
  /** The backend trial under way: which, how far (s), and when it is given up on (s). */
  timing?: { backend: BackendName; seconds: number; budget: number };
  /** The last timing of the backends in this visit, in words. */
  timed?: string;
  /** "Measure backends again" was pressed and its timing has not ended: no run may start. */
  measuring?: boolean;
  status: TrainingStatus;
  config?: TrainConfig;
  progress?: Progress;
  history: EpochRecord[];
  finishedMessage?: string;
  test?: TestResult & { model: string };
  evaluating: boolean;
  selected: ModelSlot;
  available: Partial<Record<ModelSlot, string>>;
  notices: Notice[];
  resumable?: { epochsDone: number; epochs: number; model: string };
  /** The run whose checkpoint is in IndexedDB, which training a new model would replace. */
  stored?: { epochsDone: number; epochs: number; model: string };
  /** Tensors alive in the training worker at the end of each epoch (flat = no leak). */
  tensorsPerEpoch: number[];
  /** The last epoch whose checkpoint is safely in IndexedDB during this run. */
  savedEpoch?: number;
  /** Bumped when the selected model's weights change, so the pad predicts again. */
  weightsVersion: number;
  /** The run started in this visit, for its training log: its settings, the link that makes it, when (Date.now()) it started. */
  run?: { settings: Pick<RunSettings, 'config' | 'validationSize' | 'trainLimit'>; command: string; startedAt: number };
  /** How that run ended; `wallSeconds` since the page asked for it. */
  outcome?: { reason: StopReason; message?: string; wallSeconds: number };
  /** That run's last test-set evaluation (after an epoch). */
  runTest?: TestResult;
  /** The person's kept digits (IndexedDB), and the digit the selected model reads in each, by id. */
  digits: StoredDigit[];
  readings: Record<number, number>;
  /** The drawing on the pad and what the model read in it, for "Wrong? It is a …". */
  drawing?: { pixels: Float32Array; strokes: PenPoint[][]; predicted: number };
  /** The digit kept last, which Undo removes again. */
  lastKept?: { id: number; label: number; predicted: number };
  /** A fine-tune on the person's digits: running, done (scores, awaiting keep or discard) or failed. */
  /** `folds`: runs of the cross-validation before the model to keep; `fold`: the one training now. */
  tune?: { state: 'running' | 'done' | 'failed'; step: number; steps: number; phase: 'scoring' | 'training'; fold?: number; folds: number; from: string; scores?: FineTuneScores; seconds?: number; message?: string };
}

/** A training run holds the worker from Train until it has ended: no fine-tune meanwhile, nor a second run. */
export const busyTraining = ({ status }: Pick<AppState, 'status'>) => status === 'starting' || status === 'running' || status === 'paused' || status === 'stopping';
/** The training worker does one thing at a time: a run, a fine-tune or a timing of the backends. */
export const workerBusy = (st: AppState) => busyTraining(st) || st.tune?.state === 'running' || !!st.measuring;

/** Per-batch series for the charts; appended to, never copied. */
export class Series {
  readonly x: number[] = [];
  readonly loss: number[] = [];
  readonly acc: number[] = [];
  /** Validation loss and accuracy, set at each epoch's last batch (null elsewhere). */
  readonly valLoss: (number | null)[] = [];
  readonly valAcc: (number | null)[] = [];
  private sLoss = NaN;
  private sAcc = NaN;
  version = 0;

  push(step: number, loss: number, acc: number, smoothing = 0.95): void {
    this.sLoss = Number.isNaN(this.sLoss) ? loss : smoothing * this.sLoss + (1 - smoothing) * loss;
    this.sAcc = Number.isNaN(this.sAcc) ? acc : smoothing * this.sAcc + (1 - smoothing) * acc;
    this.x.push(step);
    this.loss.push(this.sLoss);
    this.acc.push(this.sAcc);
    this.valLoss.push(null);
    this.valAcc.push(null);
    this.version++;
  }

  markEpoch(valLoss: number, valAcc: number): void {
    const i = this.x.length - 1;
    if (i < 0) return;
    this.valLoss[i] = Number.isFinite(valLoss) ? valLoss : null;
    this.valAcc[i] = Number.isFinite(valAcc) ? valAcc : null;
    this.version++;
  }

  clear(): void {
    this.x.length = this.loss.length = this.acc.length = this.valLoss.length = this.valAcc.length = 0;
    this.sLoss = this.sAcc = NaN;
    this.version++;
  }
}

type Listener = () => void;

export class Store {
  private state: AppState = {
    data: { state: 'idle' },
    status: 'idle',
    history: [],
    evaluating: false,
    selected: 'pretrained-modified',
    available: {},
    notices: [],
    weightsVersion: 0,
    tensorsPerEpoch: [],
    digits: [],
    readings: {},
  };
  private listeners = new Set<Listener>();
  readonly batches = new Series();

  get = (): AppState => this.state;

  subscribe = (l: Listener): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  set(patch: Partial<AppState> | ((s: AppState) => Partial<AppState>)): void {
    const p = typeof patch === 'function' ? patch(this.state) : patch;
    this.state = { ...this.state, ...p };
    for (const l of this.listeners) l();
  }

  notify(kind: Notice['kind'], text: string, action?: Notice['action']): void {
    this.set((s) => ({ notices: addNotice(s.notices, kind, text, action) }));
  }

  dismiss(id: number): void {
    this.set((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
  }
}

export function useStore<T>(store: Store, select: (s: AppState) => T): T {
  return useSyncExternalStore(store.subscribe, () => select(store.get()));
}
