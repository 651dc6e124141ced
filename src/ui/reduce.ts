/**
 * The page's state as a pure function of the training worker's events, so
 * it can be tested without a browser. Effects outside the state (the
 * predictor, the chart series) stay in the controller.
 */
import type { ModelSlot } from '../browser/predictor';
import type { FromWorker } from '../worker/protocol';
import { addNotice, type AppState } from './store';

export const SLOT_LABELS: Record<ModelSlot, string> = {
  'pretrained-modified': 'Pretrained modified LeNet-5',
  'pretrained-original': 'Pretrained original LeNet-5',
  trained: 'Your trained model',
  loaded: 'Model loaded from files',
  tuned: 'Tuned to your handwriting',
};

/** `elapsedSeconds`: time since the page asked for training, for the 'finished' text. */
export function reduce(st: AppState, m: FromWorker, elapsedSeconds = 0): AppState {
  switch (m.type) {
    case 'data': {
      const data = { state: m.state, message: m.message, received: m.received, total: m.total };
      if (m.state === 'ready') return { ...st, data, testSet: m.test ?? st.testSet, notices: st.notices.filter((n) => n.action !== 'retryData') };
      if (m.state === 'loading') return { ...st, data };
      const notices = addNotice(st.notices, 'error', m.message ?? 'The MNIST data could not be loaded.', 'retryData');
      return { ...st, data, notices, timing: undefined, measuring: false, status: st.status === 'starting' ? 'failed' : st.status };
    }
    case 'timing':
      return { ...st, timing: { backend: m.backend, seconds: m.seconds, budget: m.budget } };
    case 'timed':
      return { ...st, timing: undefined, measuring: false, timed: m.summary };
    case 'backend':
      return { ...st, backend: { name: m.name, reason: m.reason, workers: m.workers } };
    case 'started':
      return { ...st, status: 'running', history: m.history };
    case 'batches': {
      const { type: _type, step: _step, ...e } = m.events[m.events.length - 1];
      const remainingBatches = (e.epochs - e.epoch) * e.batches + (e.batches - e.batch);
      const etaSeconds = (remainingBatches * (st.config?.batchSize ?? 64)) / Math.max(1e-6, e.imagesPerSecond);
      return { ...st, progress: { ...e, etaSeconds } };
    }
    case 'epoch':
      return { ...st, history: [...st.history, m.record], tensorsPerEpoch: [...st.tensorsPerEpoch, m.tensors] };
    case 'state':
      return { ...st, status: m.state };
    case 'saved': {
      const stored = st.config && { epochsDone: m.epochsDone, epochs: st.config.epochs, model: st.config.model };
      return { ...st, savedEpoch: m.epochsDone, stored };
    }
    case 'testing':
      return { ...st, evaluating: true };
    case 'test': {
      const model = m.result.epoch === null ? SLOT_LABELS[st.selected] : `${SLOT_LABELS.trained}, epoch ${m.result.epoch}`;
      const runTest = m.result.epoch === null ? st.runTest : m.result;
      return { ...st, test: { ...m.result, model }, runTest, evaluating: false };
    }
    case 'finished': {
      const text =
        m.reason === 'completed'
          ? `Training finished: ${m.epochsDone} epochs in ${Math.round(elapsedSeconds)} s.`
          : m.reason === 'stopped'
            ? `Training stopped after ${m.epochsDone} complete epochs.`
            : (m.message ?? 'Training diverged.');
      const outcome = { reason: m.reason, message: m.message, wallSeconds: elapsedSeconds };
      return { ...st, status: 'finished', finishedMessage: text, outcome, notices: m.reason === 'diverged' ? addNotice(st.notices, 'error', text) : st.notices };
    }
    case 'notice':
      return { ...st, notices: addNotice(st.notices, 'info', m.message) };
    case 'error': {
      const done = m.evaluation || st.status === 'idle' || st.status === 'finished';
      return { ...st, status: done ? st.status : 'failed', evaluating: false, notices: addNotice(st.notices, 'error', m.message) };
    }
    case 'tuning':
      return { ...st, tune: { ...st.tune!, state: 'running', step: m.step, steps: m.steps, phase: m.phase, fold: m.fold, folds: m.folds } };
    case 'tuned':
      return { ...st, tune: { ...st.tune!, state: 'done', scores: m.scores, seconds: m.seconds } };
    case 'tuneFailed':
      return { ...st, tune: { ...st.tune!, state: 'failed', message: m.message } };
    case 'ready':
    case 'weights':
      return st;
  }
}
