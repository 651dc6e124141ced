/**
 * Choosing the training backend by measurement: each backend that can run
 * here trains a few steps of the run's own model and batch size; the one that
 * would finish the run soonest wins. Pure, so the decision is tested with
 * made-up timings; the timing itself is worker/backendTrials.ts.
 */
import type { BackendName } from '../../kernels/backends';

/** A backend's trial: its warm-up (start to end of the first step) and speed after it, or why it gave up. */
export type Trial = { backend: BackendName; warmupSeconds: number; imagesPerSecond: number; workers: number } | { backend: BackendName; failed: string };

/**
 * Warm-up (loading, shader compilation, the first step) counts, but a backend
 * still warming up after `warmupSeconds` is given up on; the steps after it
 * are timed for about `timedSeconds`.
 */
export const TRIAL_BUDGET = { warmupSeconds: 5, timedSeconds: 1.5 };

export interface Choice {
  name: BackendName;
  /** "wasm 550 img/s on 2 workers after 0.9 s warm-up, webgl not timed: software renderer: wasm" */
  summary: string;
}

/**
 * The backends to time here, and those counted without a trial. WebGL on a
 * software renderer (SwiftShader, llvmpipe) is not timed: it is far slower
 * than wasm, and a trial given up on leaves the GPU process compiling its
 * shaders for tens of seconds, which stops the page's frames and slows the run.
 */
export function trialPlan(env: { wasm: boolean; renderer: string | undefined; softwareRenderer: boolean }): { timed: BackendName[]; untimed: Trial[] } {
  const timed: BackendName[] = env.wasm ? ['wasm'] : [];
  if (env.renderer === undefined) return { timed, untimed: [] };
  if (env.softwareRenderer) return { timed, untimed: [{ backend: 'webgl', failed: 'not timed: software renderer' }] };
  return { timed: [...timed, 'webgl'], untimed: [] };
}

/** Seconds a run of `images` training images would take on a backend, its warm-up included. */
export function runSeconds(trial: Trial, images: number): number {
  return 'failed' in trial ? Infinity : trial.warmupSeconds + images / trial.imagesPerSecond;
}

export function describeTrial(t: Trial): string {
  if ('failed' in t) return `${t.backend} ${t.failed}`;
  return `${t.backend} ${Math.round(t.imagesPerSecond)} img/s${t.workers > 1 ? ` on ${t.workers} workers` : ''} after ${t.warmupSeconds.toFixed(1)} s warm-up`;
}

/** The backend that would train `images` images soonest; undefined when every trial failed. */
export function decide(trials: Trial[], images: number): Choice | undefined {
  const best = trials.reduce<Trial | undefined>((b, t) => (runSeconds(t, images) < (b ? runSeconds(b, images) : Infinity) ? t : b), undefined);
  return best && { name: best.backend, summary: `${trials.map(describeTrial).join(', ')}: ${best.backend}` };
}

/** What a trial depends on: the device (renderer, cores), the app's code, and the run's model and batch size. */
export function trialKey(p: { renderer: string | undefined; cores: number; version: string; model: string; batchSize: number }): string {
  return `${p.renderer ?? 'no WebGL'} | ${p.cores} cores | v${p.version} | ${p.model} | batch ${p.batchSize}`;
}

/** Remembered trials by key, as stored in the browser; the newest `REMEMBERED` keys are kept. */
export type Remembered = Record<string, { trials: Trial[]; measuredAt: number }>;
const REMEMBERED = 8;
const BACKENDS: readonly string[] = ['webgl', 'wasm', 'cpu'];

function isTrial(t: unknown): t is Trial {
  if (typeof t !== 'object' || t === null) return false;
  const r = t as Record<string, unknown>;
  if (!BACKENDS.includes(r.backend as string)) return false;
  if (typeof r.failed === 'string') return true;
  const positive = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;
  return positive(r.imagesPerSecond) && positive(r.workers) && typeof r.warmupSeconds === 'number' && Number.isFinite(r.warmupSeconds) && r.warmupSeconds >= 0;
}

/** The trials remembered for `key` in whatever the browser held; anything malformed counts as nothing remembered. */
export function recall(stored: unknown, key: string): Trial[] | undefined {
  if (typeof stored !== 'object' || stored === null || !Object.hasOwn(stored, key)) return undefined;
  const entry = (stored as Record<string, unknown>)[key] as { trials?: unknown } | null;
  const trials = entry?.trials;
  return Array.isArray(trials) && trials.length > 0 && trials.every(isTrial) ? trials : undefined;
}

/** `stored` with these trials remembered for `key`, dropping malformed and the oldest entries. */
export function remember(stored: unknown, key: string, trials: Trial[], now: number): Remembered {
  const old = typeof stored === 'object' && stored !== null ? (stored as Remembered) : {};
  const valid = Object.entries(old).filter(([k, v]) => k !== key && recall(old, k) && typeof v.measuredAt === 'number');
  const newest = valid.sort((a, b) => b[1].measuredAt - a[1].measuredAt).slice(0, REMEMBERED - 1);
  return { ...Object.fromEntries(newest), [key]: { trials, measuredAt: now } };
}
