/**
 * The training form's settings as the page's address carries them, so a
 * link reproduces a run's settings: ?model=modified&epochs=3&batch=64&lr=0.001
 * &schedule=plateau&augment=reference&limit=2000&seed=1&backend=auto&test=on.
 * The names are npm run train's flags where it has one. Every value is the
 * form's own text; a bad or unknown one gets a message and the default.
 */
import { DEFAULT_VALIDATION_SIZE } from '../core/data/mnist';
import { DEFAULT_SCHEDULES } from '../core/train/schedule';
import { AUGMENT_PRESETS, MODEL_NAMES, type AugmentConfig, type ModelName } from '../core/train/types';
import { settingsErrors } from '../core/train/settings';
import type { ScheduleKind } from '../core/train/schedule';
import type { BackendName } from '../kernels/backends';
import type { TrainSettings } from './controller';

export const AUGMENTS: Record<string, AugmentConfig | null> = { ...AUGMENT_PRESETS, off: null };
/** Training-set sizes the form offers; 'all' is every image not held out for validation. */
export const LIMITS = ['all', '10000', '2000', '500'];
export const BATCH_SIZES = ['32', '64', '128', '256'];
export const MAX_EPOCHS = 200;
export const MAX_SEED = 2 ** 32 - 1;

export type FormValues = Record<'model' | 'epochs' | 'batch' | 'lr' | 'schedule' | 'augment' | 'limit' | 'seed' | 'backend' | 'test', string>;

export const DEFAULTS: FormValues = {
  model: 'modified',
  epochs: '3',
  batch: '64',
  lr: '0.001',
  schedule: 'plateau',
  augment: 'reference',
  limit: '2000',
  seed: '1',
  backend: 'auto',
  test: 'on',
};

const oneOf = (values: readonly string[], what: string) => ({ ok: (v: string) => values.includes(v), rule: `${what} must be one of ${values.join(', ')}` });
const wholeUpTo = (min: number, max: number, what: string) => ({
  ok: (v: string) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max,
  rule: `${what} must be a whole number from ${min} to ${max}`,
});

/** Each setting's check and the sentence that says what it takes. */
const RULES: Record<keyof FormValues, { ok: (v: string) => boolean; rule: string }> = {
  model: oneOf(MODEL_NAMES, 'The architecture'),
  epochs: wholeUpTo(1, MAX_EPOCHS, 'Epochs'),
  batch: oneOf(BATCH_SIZES, 'The batch size'),
  lr: { ok: (v) => v.trim() !== '' && Number(v) > 0 && Number.isFinite(Number(v)), rule: 'The learning rate must be a positive number, such as 0.001' },
  schedule: oneOf(Object.keys(DEFAULT_SCHEDULES), 'The schedule'),
  augment: oneOf(Object.keys(AUGMENTS), 'The augmentation'),
  limit: oneOf(LIMITS, 'The training-set size'),
  seed: wholeUpTo(0, MAX_SEED, 'The seed'),
  backend: oneOf(['auto', 'webgl', 'wasm', 'cpu'], 'The backend'),
  test: oneOf(['on', 'off'], 'The test after every epoch'),
};

const KEYS = Object.keys(DEFAULTS) as (keyof FormValues)[];

/** What is wrong with the form's values, one sentence each (none: they can train). */
export function valueErrors(values: FormValues): string[] {
  return KEYS.filter((k) => !RULES[k].ok(values[k])).map((k) => `${RULES[k].rule}.`);
}

/** The settings a query string asks for: each bad or unknown value is named in `messages`, and bad ones take the default. */
export function readSettings(query: string): { values: FormValues; messages: string[] } {
  const params = new URLSearchParams(query);
  const values = { ...DEFAULTS };
  const messages: string[] = [];
  for (const [key, value] of params) {
    if (!Object.hasOwn(RULES, key)) messages.push(`The link's setting "${key}" is unknown and was ignored.`);
    else if (!RULES[key as keyof FormValues].ok(value)) messages.push(`The link's ${key}="${value}" was ignored: ${RULES[key as keyof FormValues].rule}; using ${DEFAULTS[key as keyof FormValues]}.`);
    else values[key as keyof FormValues] = value;
  }
  return { values, messages };
}

/** The query string for the form's values, every setting spelled out so the link means the same if the defaults change. */
export function toQuery(values: FormValues): string {
  return new URLSearchParams(KEYS.map((k) => [k, values[k]])).toString();
}

/** What the controller trains with; `values` must pass valueErrors. */
export function toTrainSettings(values: FormValues): TrainSettings {
  const settings: TrainSettings = {
    config: {
      model: values.model as ModelName,
      epochs: Number(values.epochs),
      batchSize: Number(values.batch),
      learningRate: Number(values.lr),
      schedule: DEFAULT_SCHEDULES[values.schedule as ScheduleKind],
      augment: AUGMENTS[values.augment],
      seed: Number(values.seed),
    },
    trainLimit: values.limit === 'all' ? undefined : Number(values.limit),
    backend: values.backend === 'auto' ? undefined : (values.backend as BackendName),
    testEveryEpoch: values.test === 'on',
  };
  // The form's ranges lie inside the run's; this is where a change to either would show.
  const errors = settingsErrors({ ...settings, validationSize: DEFAULT_VALIDATION_SIZE });
  if (errors.length) throw new Error(`the form's settings cannot train: ${errors.join('; ')}`);
  return settings;
}
