/**
 * Connects the pieces: the training worker's events go into the store, the
 * store's choices go to the predictor. Components call these actions and
 * never touch tfjs or the worker themselves.
 */
import { DEFAULT_VALIDATION_SIZE, IMAGE_PIXELS } from '../core/data/mnist';
import { storedTrials, storeTrials } from '../browser/backendMemory';
import { checkStored, clearCheckpoint, loadCheckpoint, type StoredCheckpoint } from '../browser/checkpointStore';
import { Predictor, saveFile, type ModelSlot } from '../browser/predictor';
import { addDigits, clearDigits, deleteDigit, listDigits, loadTuned, putDigit, saveTuned, type StoredDigit } from '../browser/digitStore';
import { digitsToIdxZip, digitsToJson, imageBytes, readDigitsFile, toMnistSet, type PersonalDigit } from '../core/data/personalDigits';
import { scoreLine } from '../core/model/shippedScores';
import { planFineTune } from '../core/train/fineTuneRecipe';
import { formatTrainingLog } from '../core/train/log';
import type { FromWorker, ToWorker, TrainRequest } from '../worker/protocol';
import { reduce, SLOT_LABELS } from './reduce';
import { pageTrainingLog } from './runLog';
import { Store, workerBusy, type AppState } from './store';

/** What the training form sets; the validation hold-out is fixed in the page. */
export type TrainSettings = Omit<TrainRequest, 'validationSize' | 'resume' | 'initWeights'>;

/** Seconds a request for the MNIST files (11 MB) may receive nothing before it is abandoned. */
export const DATA_TIMEOUT_S = 30;
/** The end-to-end tests shorten the data timeout through this key (the fetch runs in the worker, out of their reach). */
const DATA_TIMEOUT_KEY = 'mnist-trainer:data-timeout-s';

function dataTimeoutSeconds(): number {
  try {
    return Number(localStorage.getItem(DATA_TIMEOUT_KEY)) || DATA_TIMEOUT_S;
  } catch {
    return DATA_TIMEOUT_S; // storage blocked
  }
}

export class Controller {
  readonly store = new Store();
  readonly predictor = new Predictor();
  private worker: Worker | null = null;
  private stored: StoredCheckpoint | undefined;
  /** Clears the drawing pad; set by the pad's panel. */
  clearPad: () => void = () => undefined;
  /** A fine-tune's result until the person keeps or discards it. */
  private tuned: Extract<FromWorker, { type: 'tuned' }> | undefined;
  private startedAt = 0;

  constructor() {
    // Leaving mid-run would lose the epoch in progress: the browser asks first.
    addEventListener('beforeunload', (e) => {
      const { status } = this.store.get();
      if (status === 'running' || status === 'paused') e.preventDefault();
    });
  }

  /** The training side (its code and the 11 MB of MNIST) starts when first needed: a person who only draws never loads it. */
  private send(m: ToWorker): void {
    if (!this.worker) {
      this.worker = new Worker(new URL('../worker/trainingWorker.ts', import.meta.url), { type: 'module', name: 'training' });
      this.worker.onmessage = (e: MessageEvent<FromWorker>) => this.onWorker(e.data);
      this.worker.onerror = (e) => this.store.notify('error', `The training worker failed: ${e.message}`);
      if (m.type !== 'loadData') this.worker.postMessage({ type: 'loadData', timeoutSeconds: dataTimeoutSeconds() } satisfies ToWorker);
    }
    this.worker.postMessage(m);
  }

  /** Loads the default model and anything saved by an earlier visit. */
  async start(): Promise<void> {
    const s = this.store;
    // At once, so a saved model is known (and asked about) before a person can start a new run.
    const restored = this.restoreFromBrowser();
    void this.restoreDigits();
    try {
      await this.predictor.loadShipped('pretrained-modified');
      await this.predictor.predict('pretrained-modified', new Float32Array(IMAGE_PIXELS)); // warm up the kernels
      performance.measure('cold-start', { start: 0, end: performance.now() });
      s.set((st) => ({ available: { ...st.available, 'pretrained-modified': `${SLOT_LABELS['pretrained-modified']} (${scoreLine('pretrained-modified')})` } }));
      this.bumpWeights();
    } catch (e) {
      s.notify('error', `The pretrained model could not be loaded: ${(e as Error).message}`);
    }
    s.set((st) => ({ available: { ...st.available, 'pretrained-original': `${SLOT_LABELS['pretrained-original']} (${scoreLine('pretrained-original')})` } }));
    await restored;
  }

  private async restoreFromBrowser(): Promise<void> {
    let record: StoredCheckpoint | undefined;
    try {
      record = await loadCheckpoint();
    } catch {
      return; // no IndexedDB (private mode): nothing to restore
    }
    // Nothing to restore, or a run started meanwhile: its state is not to be overwritten.
    if (!record || this.store.get().status !== 'idle') return;
    let cp: StoredCheckpoint['checkpoint'];
    try {
      cp = checkStored(record).checkpoint;
      await this.predictor.setWeights('trained', cp.config.model, cp.weights);
    } catch (e) {
      this.store.notify('error', `The model saved in this browser could not be restored: ${(e as Error).message}. Forget it, or train a new model to replace it.`, 'forget');
      return;
    }
    this.stored = record;
    const run = { epochsDone: cp.epochsDone, epochs: cp.config.epochs, model: cp.config.model };
    this.store.set((st) => ({
      available: { ...st.available, trained: SLOT_LABELS.trained },
      history: cp.history,
      config: cp.config,
      stored: run,
      resumable: cp.epochsDone < cp.config.epochs ? run : undefined,
    }));
    this.store.notify('info', `Restored your ${cp.config.model} model from this browser (epoch ${cp.epochsDone} of ${cp.config.epochs}).`);
    this.bumpWeights();
  }

  private async restoreDigits(): Promise<void> {
    try {
      const [digits, tuned] = await Promise.all([listDigits(), loadTuned()]);
      this.store.set({ digits });
      if (tuned) {
        await this.predictor.setWeights('tuned', tuned.model, tuned.weights);
        this.store.set((st) => ({ available: { ...st.available, tuned: SLOT_LABELS.tuned } }));
      }
    } catch (e) {
      this.store.notify('error', `Your digits could not be read from this browser: ${(e as Error).message}.`);
    }
    void this.readDigits();
  }

  /** How the selected model reads each kept digit. */
  private async readDigits(): Promise<void> {
    const { digits, selected } = this.store.get();
    if (!digits.length || !this.predictor.has(selected)) return this.store.set({ readings: {} });
    const read = await this.predictor.readAll(selected, toMnistSet(digits).images, digits.length).catch(() => undefined);
    if (read && this.store.get().digits === digits) this.store.set({ readings: Object.fromEntries(digits.map((d, i) => [d.id, read[i]])) });
  }

  private async reloadDigits(): Promise<void> {
    this.store.set({ digits: await listDigits() });
    await this.readDigits();
  }

  /** Each prediction of a drawing on the pad (null: the pad is empty). */
  showDrawing = (drawing: AppState['drawing'] | null): void => this.store.set({ drawing: drawing ?? undefined });

  /** Keeps the pad's drawing as `label` (a correction, or the prediction kept as an example) and clears the pad. */
  keep = async (label: number): Promise<void> => {
    const d = this.store.get().drawing;
    if (!d) return;
    const digit: PersonalDigit = { label, image: imageBytes(d.pixels), strokes: d.strokes, predicted: d.predicted, savedAt: Date.now() };
    try {
      const id = await addDigits([digit]);
      this.store.set({ lastKept: { id, label, predicted: d.predicted }, drawing: undefined });
      this.clearPad();
      await this.reloadDigits();
    } catch (e) {
      this.store.notify('error', `The digit could not be kept in this browser: ${(e as Error).message}.`);
    }
  };

  undoKeep = async (): Promise<void> => {
    const last = this.store.get().lastKept;
    if (!last) return;
    await this.digitAction(() => deleteDigit(last.id));
    this.store.set({ lastKept: undefined });
  };

  relabel = (digit: StoredDigit, label: number) => this.digitAction(() => putDigit({ ...digit, label }));
  removeDigit = (id: number) => this.digitAction(() => deleteDigit(id));
  removeAllDigits = () => this.digitAction(clearDigits);

  private async digitAction(f: () => Promise<unknown>): Promise<void> {
    try {
      await f();
      await this.reloadDigits();
    } catch (e) {
      this.store.notify('error', `Your digits could not be changed: ${(e as Error).message}.`);
    }
  }

  exportDigits(format: 'json' | 'idx'): void {
    const { digits } = this.store.get();
    if (format === 'json') saveFile(new Blob([digitsToJson(digits)], { type: 'application/json' }), 'my-digits.json');
    else saveFile(new Blob([digitsToIdxZip(digits) as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), 'my-digits-idx.zip');
  }

  async importDigits(file: File): Promise<void> {
    try {
      const digits = readDigitsFile(new Uint8Array(await file.arrayBuffer()));
      await addDigits(digits.map(({ label, image, strokes, predicted, savedAt }) => ({ label, image, strokes, predicted, savedAt })));
      this.store.notify('info', `Imported ${digits.length} digits from ${file.name}.`);
      await this.reloadDigits();
    } catch (e) {
      this.store.notify('error', `${file.name} could not be imported: ${(e as Error).message}. Your digits are as they were.`);
    }
  }

  /** Fine-tunes the selected model on the kept digits, scored on digits it did not train on (planFineTune). */
  async fineTune(): Promise<void> {
    const { digits, selected } = this.store.get();
    if (workerBusy(this.store.get()) || !digits.length) return;
    const weights = await this.predictor.weightsOf(selected);
    if (!weights) return this.store.notify('error', 'This model is not a LeNet-5 from this app, so it cannot be fine-tuned here.');
    const plan = planFineTune(digits);
    this.tuned = undefined;
    this.store.set({ tune: { state: 'running', step: 0, steps: 0, phase: 'scoring', folds: plan.folds.length, from: SLOT_LABELS[selected] } });
    const folds = plan.folds.map((f) => ({ train: toMnistSet(f.train), heldOut: toMnistSet(f.heldOut) }));
    this.send({ type: 'fineTune', request: { ...weights, train: toMnistSet(plan.train), heldOut: toMnistSet(plan.heldOut), folds } });
  }

  stopTune = () => this.send({ type: 'stop' });

  /** The tuned model becomes the "Tuned to your handwriting" slot, saved in this browser. */
  keepTuned = async (): Promise<void> => {
    const t = this.tuned;
    if (!t) return;
    try {
      await this.predictor.setWeights('tuned', t.model, t.weights);
      await saveTuned({ model: t.model, weights: t.weights, scores: t.scores, savedAt: Date.now() });
    } catch (e) {
      return this.store.notify('error', `The tuned model could not be kept: ${(e as Error).message}.`);
    }
    this.tuned = undefined;
    this.store.set((st) => ({ tune: undefined, available: { ...st.available, tuned: SLOT_LABELS.tuned } }));
    await this.selectModel('tuned');
  };

  discardTuned = (): void => {
    this.tuned = undefined;
    this.store.set({ tune: undefined });
  };

  async selectModel(slot: ModelSlot): Promise<void> {
    const s = this.store;
    if ((slot === 'pretrained-modified' || slot === 'pretrained-original') && !this.predictor.has(slot)) {
      try {
        await this.predictor.loadShipped(slot);
      } catch (e) {
        s.notify('error', `${SLOT_LABELS[slot]} could not be loaded: ${(e as Error).message}`);
        return;
      }
    }
    if (!this.predictor.has(slot)) return;
    s.set({ selected: slot });
    this.bumpWeights();
  }

  /** `link`: the page's address for these settings, which the run's log keeps. */
  train(settings: TrainSettings, link: string): void {
    this.startTraining({ ...settings, validationSize: DEFAULT_VALIDATION_SIZE }, link);
  }

  resumeStored(): void {
    const st = this.stored;
    if (!st) return;
    this.startTraining({ config: st.checkpoint.config, trainLimit: st.trainLimit, validationSize: st.validationSize, resume: st.checkpoint, testEveryEpoch: true }, 'Continue training, in the page');
  }

  private startTraining(request: TrainRequest, command: string): void {
    const s = this.store;
    if (workerBusy(s.get())) return;
    if (!request.resume) s.batches.clear();
    this.startedAt = performance.now();
    const { config, validationSize, trainLimit } = request;
    const run = { settings: { config, validationSize, trainLimit }, command, startedAt: Date.now() };
    s.set({ run, outcome: undefined, runTest: undefined, status: 'starting', tensorsPerEpoch: [], savedEpoch: undefined, config: request.config, progress: undefined, finishedMessage: undefined, resumable: undefined, history: request.resume?.history ?? [] });
    this.send({ type: 'train', request, remembered: storedTrials() });
  }

  /** Times the backends for these settings now; the next run on "Fastest available" uses the result. */
  measureBackends(settings: TrainSettings): void {
    this.store.set({ timed: undefined, measuring: true });
    this.send({ type: 'measure', request: { ...settings, validationSize: DEFAULT_VALIDATION_SIZE }, remembered: storedTrials() });
  }
  cancelTiming = () => this.send({ type: 'cancelTiming' });

  pause = () => this.send({ type: 'pause' });
  resume = () => this.send({ type: 'resume' });
  stop = () => {
    this.store.set({ status: 'stopping' });
    this.send({ type: 'stop' });
  };
  retryData = () => {
    this.store.set({ data: { state: 'loading' } });
    this.send({ type: 'loadData', timeoutSeconds: dataTimeoutSeconds() });
  };

  async evaluate(): Promise<void> {
    const s = this.store;
    const slot = s.get().selected;
    const training = s.get().status === 'running' || s.get().status === 'paused';
    s.set({ evaluating: true });
    if (slot === 'trained' && training) return this.send({ type: 'evaluate' });
    const weights = await this.predictor.weightsOf(slot);
    if (!weights) {
      s.set({ evaluating: false });
      return s.notify('error', 'This model is not a LeNet-5 from this app, so it cannot be evaluated here.');
    }
    this.send({ type: 'evaluate', weights: { ...weights, step: 0 } });
  }

  async loadFiles(files: File[]): Promise<void> {
    try {
      const kind = await this.predictor.loadFiles(files);
      this.store.set((st) => ({ available: { ...st.available, loaded: `${SLOT_LABELS.loaded} (${kind === 'other' ? 'custom' : kind})` }, selected: 'loaded' }));
      this.store.notify('info', `Loaded ${files.map((f) => f.name).join(' + ')}.`);
      this.bumpWeights();
    } catch (e) {
      this.store.notify('error', `Those weights could not be loaded: ${(e as Error).message}. The model you had is still in use.`);
    }
  }

  async download(): Promise<void> {
    const slot = this.store.get().selected;
    const arch = this.predictor.architectureOf(slot) ?? 'model';
    try {
      await this.predictor.download(slot, `lenet5-${arch}-${slot}`);
    } catch (e) {
      this.store.notify('error', `Download failed: ${(e as Error).message}`);
    }
  }

  /** The run's training log, as `npm run train` writes it. */
  downloadRun = (): void => {
    const log = pageTrainingLog(this.store.get(), { userAgent: navigator.userAgent, cores: navigator.hardwareConcurrency });
    if (log) saveFile(new Blob([formatTrainingLog(log)], { type: 'application/json' }), 'training-log.json');
  };

  async forgetStored(): Promise<void> {
    await clearCheckpoint().catch(() => undefined);
    this.stored = undefined;
    this.store.set((st) => ({ resumable: undefined, stored: undefined, notices: st.notices.filter((n) => n.action !== 'forget') }));
  }

  /** The selected model's weights changed: the pad predicts again, and the kept digits are read again. */
  private bumpWeights(): void {
    this.store.set((st) => ({ weightsVersion: st.weightsVersion + 1 }));
    void this.readDigits();
  }

  private onWorker(m: FromWorker): void {
    const s = this.store;
    s.set(reduce(s.get(), m, (performance.now() - this.startedAt) / 1000));
    if (m.type === 'batches') for (const e of m.events) s.batches.push(e.step, e.loss, e.accuracy);
    else if (m.type === 'epoch') s.batches.markEpoch(m.record.valLoss, m.record.valAccuracy);
    else if (m.type === 'finished') void this.selectModel('trained');
    else if (m.type === 'tuned') this.tuned = m;
    else if (m.type === 'timed' && m.remember) storeTrials(m.remember);
    else if (m.type === 'weights') {
      const { model, weights } = m.snapshot;
      void this.predictor.setWeights('trained', model, weights).then(() => {
        if (!s.get().available.trained) s.set((st) => ({ available: { ...st.available, trained: SLOT_LABELS.trained } }));
        if (s.get().selected === 'trained') this.bumpWeights();
      });
    }
  }
}

