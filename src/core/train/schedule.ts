/**
 * Learning-rate schedules. `rateAt` is asked before every step; `endEpoch`
 * is told each epoch's validation loss (reduce-on-plateau needs it). State is
 * a plain object so it can ride along in a checkpoint.
 */

export type ScheduleConfig =
  | { kind: 'constant' }
  /** The reference: multiply by `factor` when validation loss has not improved for `patience` epochs. */
  | { kind: 'plateau'; factor: number; patience: number; minRate: number }
  /** rate = base * decay^(epoch) applied smoothly per step. */
  | { kind: 'exponential'; decayPerEpoch: number }
  /** Cosine from base down to base*finalFraction over the run, after a linear warm-up. */
  | { kind: 'cosine'; warmupEpochs: number; finalFraction: number }
  /** One-cycle: linear up from base/divFactor to base over `peakAt` of the run, then cosine down to ~0. */
  | { kind: 'onecycle'; peakAt: number; divFactor: number; finalDivFactor: number };

export type ScheduleKind = ScheduleConfig['kind'];

export const DEFAULT_SCHEDULES: Record<ScheduleKind, ScheduleConfig> = {
  constant: { kind: 'constant' },
  plateau: { kind: 'plateau', factor: 0.2, patience: 2, minRate: 1e-6 },
  exponential: { kind: 'exponential', decayPerEpoch: 0.85 },
  cosine: { kind: 'cosine', warmupEpochs: 0.5, finalFraction: 0.01 },
  onecycle: { kind: 'onecycle', peakAt: 0.25, divFactor: 25, finalDivFactor: 1e3 },
};

export interface ScheduleState {
  /** Current multiplier for plateau decay. */
  plateauScale: number;
  bestLoss: number;
  badEpochs: number;
}

export function initialScheduleState(): ScheduleState {
  return { plateauScale: 1, bestLoss: Infinity, badEpochs: 0 };
}

export class LearningRateSchedule {
  readonly state: ScheduleState;

  constructor(
    readonly config: ScheduleConfig,
    readonly baseRate: number,
    readonly totalEpochs: number,
    readonly stepsPerEpoch: number,
    state?: ScheduleState,
  ) {
    if (!(baseRate > 0)) throw new Error(`learning rate must be positive, got ${baseRate}`);
    this.state = state ? { ...state } : initialScheduleState();
  }

  /** Rate for a step; `epoch` is 0-based, `step` counts within the epoch. */
  rateAt(epoch: number, step: number): number {
    const c = this.config;
    const t = epoch + step / this.stepsPerEpoch; // progress in epochs
    const frac = Math.min(1, t / this.totalEpochs);
    switch (c.kind) {
      case 'constant':
        return this.baseRate;
      case 'plateau':
        return Math.max(c.minRate, this.baseRate * this.state.plateauScale);
      case 'exponential':
        return this.baseRate * Math.pow(c.decayPerEpoch, t);
      case 'cosine': {
        if (t < c.warmupEpochs) return (this.baseRate * (t + 1 / this.stepsPerEpoch)) / c.warmupEpochs;
        const p = Math.min(1, (t - c.warmupEpochs) / Math.max(1e-9, this.totalEpochs - c.warmupEpochs));
        const floor = this.baseRate * c.finalFraction;
        return floor + (this.baseRate - floor) * 0.5 * (1 + Math.cos(Math.PI * p));
      }
      case 'onecycle': {
        const start = this.baseRate / c.divFactor;
        const end = this.baseRate / c.finalDivFactor;
        if (frac < c.peakAt) return start + (this.baseRate - start) * (frac / c.peakAt);
        const p = (frac - c.peakAt) / (1 - c.peakAt);
        return end + (this.baseRate - end) * 0.5 * (1 + Math.cos(Math.PI * p));
      }
    }
  }

  /** Records an epoch's validation loss; returns true if the rate was reduced. */
  endEpoch(validationLoss: number): boolean {
    const c = this.config;
    if (c.kind !== 'plateau' || !Number.isFinite(validationLoss)) return false;
    const s = this.state;
    if (validationLoss < s.bestLoss) {
      s.bestLoss = validationLoss;
      s.badEpochs = 0;
      return false;
    }
    s.badEpochs++;
    if (s.badEpochs >= c.patience) {
      s.plateauScale *= c.factor;
      s.badEpochs = 0;
      return true;
    }
    return false;
  }
}
