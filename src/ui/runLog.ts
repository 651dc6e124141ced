/** The run trained in this visit as a training log, the format `npm run train` writes (core/train/log.ts). */
import { buildTrainingLog, type TrainingLog } from '../core/train/log';
import type { AppState } from './store';

/** undefined before a run has started in this visit. `now`: Date.now() when the log is written. */
export function pageTrainingLog(st: AppState, machine: TrainingLog['machine'], now = Date.now()): TrainingLog | undefined {
  const { run, outcome, runTest } = st;
  if (!run) return undefined;
  return buildTrainingLog({
    settings: run.settings,
    history: st.history,
    stopReason: outcome?.reason ?? (st.status === 'failed' ? 'failed' : 'running'),
    message: outcome?.message,
    backend: st.backend?.name ?? 'none',
    workers: st.backend?.workers ?? 1,
    machine,
    // Only a test of the weights the log ends with.
    test: runTest && runTest.epoch === st.history.at(-1)?.epoch ? runTest : null,
    wallSeconds: outcome?.wallSeconds ?? (now - run.startedAt) / 1000,
    command: run.command,
    finishedAt: new Date(now),
  });
}
