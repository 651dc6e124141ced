/**
 * npm run train -- --out DIR [--model modified|original] [--epochs N] [--batch 64] [--lr 1e-3]
 *                  [--schedule plateau|...] [--seed S] [--limit N] [--validation 5000] [--workers N]
 *                  [--no-augment | --augment reference|handwriting|styles|elastic|ROT,ZOOM,SHIFT[,SHEAR,THICK[,STYLES[,ELASTIC[,BASES[,OPEN_LOOPS[,SHORT_STEMS]]]]]]]
 *                  [--init MODEL_DIR [--extra DIGITS_FILE]] [--teacher MODEL_DIR ... [--distill 0.5] [--temperature 3]]
 *                  [--resume] [--force]
 *
 * Trains headless on the official MNIST files with the same core code as the
 * browser, one wasm replica per core. Writes DIR/model.json + weights.bin,
 * DIR/training-log.json, and DIR/checkpoint/ after every epoch (--resume picks
 * it up). --init starts from a trained model's weights (fine-tuning) with a
 * fresh optimizer and schedule; with --extra, on a person's digits exported
 * from the page (either format) with the page's fine-tune recipe, on the digits the page's kept model
 * trains on (planFineTune: all of them, or without a hold-out when there are many). --teacher (once per
 * model) distills trained models' mean prediction into the new one: --distill is its share of the loss,
 * --temperature how much both predictions are softened. A DIR that holds a model or a checkpoint is
 * replaced only with --force.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DigitsFileError, readDigitsFile, toMnistSet } from '../src/core/data/personalDigits';
import { FINE_TUNE, fineTuneConfig, fineTuneSettings, planFineTune } from '../src/core/train/fineTune';
import { AUGMENT_PRESETS, DEFAULT_AUGMENT, type AugmentConfig, type TrainConfig } from '../src/core/train/types';
import type { Checkpoint } from '../src/core/train/checkpoint';
import { DEFAULT_VALIDATION_SIZE, type MnistSet } from '../src/core/data/mnist';
import { createModel, MODEL_NAMES, modelNameOf, type ModelName } from '../src/core/model/models';
import { buildTrainingLog, formatTrainingLog } from '../src/core/train/log';
import { settingsErrors } from '../src/core/train/settings';
import { DEFAULT_SCHEDULES, type ScheduleKind } from '../src/core/train/schedule';
import type { TrainEvent } from '../src/core/train/trainer';
import { encodeModelWeights, setWeightsFrom, type EncodedTensors } from '../src/core/model/weights';
import { hasCheckpoint, readCheckpoint, writeCheckpoint } from '../src/node/checkpointFiles';
import { formatDuration, pct } from '../src/core/format';
import { defaultWorkers, fail, intArg, machineInfo, numArg, oneOf, parseCli } from '../src/node/cli';
import { guardOutput, loadModelFromFolder, readTrainingLog, saveModelToFolder, TRAINING_LOG } from '../src/node/fsModel';
import { initNodeBackend, NODE_BACKENDS } from '../src/node/nodeBackend';
import { loadMnistFromDisk } from '../src/node/nodeData';
import { settleFolder } from '../src/node/atomicFolder';
import { runSession } from '../src/node/session';

const { values } = parseCli('npm run train -- --out DIR [--model modified|original] [--epochs N] [--batch N] [--lr X] [--schedule KIND] [--seed S] [--limit N] [--validation N] [--workers N] [--augment ...|--no-augment] [--init DIR [--extra FILE]] [--teacher DIR ... [--distill W] [--temperature T]] [--resume] [--force]', {
  model: { type: 'string' },
  epochs: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  schedule: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  limit: { type: 'string' },
  validation: { type: 'string' },
  workers: { type: 'string' },
  resume: { type: 'boolean', default: false },
  force: { type: 'boolean', default: false },
  'no-augment': { type: 'boolean', default: false },
  augment: { type: 'string' },
  backend: { type: 'string' },
  init: { type: 'string' },
  extra: { type: 'string' },
  teacher: { type: 'string', multiple: true },
  distill: { type: 'string' },
  temperature: { type: 'string' },
});

if (!values.out) fail('--out DIR is required');
const outDir = resolve(values.out);
await settleFolder(outDir); // a save cut short last time: its checkpoint is in the old folder
const checkpointDir = join(outDir, 'checkpoint');
const workers = intArg(values.workers, 'workers', defaultWorkers());
const backend = oneOf(values.backend, 'backend', NODE_BACKENDS, 'wasm');

let resume: Checkpoint | undefined;
let priorWallSeconds = 0;
let config: TrainConfig;
let validationSize: number;
let trainLimit: number | undefined;
let init: string | null = values.init ? resolve(values.init) : null;
/** The training log of the --init model, kept so a fine-tuned model says where it came from. */
let initLog: unknown = null;
/** The --teacher models' folders and training logs, kept for the log and a --resume. */
let teachers: { dir: string; log: unknown }[] = (values.teacher ?? []).map((d) => ({ dir: resolve(d), log: null }));
if (values.resume && hasCheckpoint(checkpointDir)) {
  const { checkpoint, extra } = await readCheckpoint(checkpointDir);
  resume = checkpoint;
  config = checkpoint.config;
  validationSize = Number(extra.validationSize ?? DEFAULT_VALIDATION_SIZE);
  trainLimit = extra.trainLimit === undefined || extra.trainLimit === null ? undefined : Number(extra.trainLimit);
  priorWallSeconds = Number(extra.wallSeconds ?? 0);
  init = typeof extra.init === 'string' ? extra.init : null; // the checkpoint's weights carry on from it
  initLog = extra.initLog ?? null;
  teachers = (extra.teachers as typeof teachers | undefined) ?? [];
  if (values.epochs) config = { ...config, epochs: intArg(values.epochs, 'epochs', config.epochs) };
  const ignored = ['model', 'batch', 'lr', 'schedule', 'seed', 'limit', 'validation', 'augment', 'no-augment', 'init', 'teacher', 'distill', 'temperature'].filter((k) => values[k as keyof typeof values] !== undefined && values[k as keyof typeof values] !== false);
  if (ignored.length) console.error(`--resume continues with the checkpoint's own settings; ignoring ${ignored.map((k) => `--${k}`).join(', ')} (only --epochs, --workers and --backend apply)`);
  console.error(`resuming ${config.model} from ${checkpointDir}: ${checkpoint.epochsDone} of ${config.epochs} epochs done`);
} else {
  if (values.resume) console.error(`no checkpoint in ${checkpointDir}; starting fresh`);
  const scheduleKind = oneOf(values.schedule, 'schedule', Object.keys(DEFAULT_SCHEDULES) as ScheduleKind[], 'plateau');
  config = {
    model: oneOf(values.model, 'model', MODEL_NAMES, 'modified'),
    epochs: intArg(values.epochs, 'epochs', 30),
    batchSize: intArg(values.batch, 'batch', 64),
    learningRate: numArg(values.lr, 'lr', 1e-3),
    schedule: DEFAULT_SCHEDULES[scheduleKind],
    augment: values['no-augment'] ? null : parseAugment(values.augment),
    seed: intArg(values.seed, 'seed', 1, 0),
  };
  if (teachers.length) config.distill = { weight: numArg(values.distill, 'distill', 0.5), temperature: numArg(values.temperature, 'temperature', 3) };
  else if (values.distill || values.temperature) fail('--distill and --temperature set how to learn from teachers: name them with --teacher DIR');
  validationSize = intArg(values.validation, 'validation', DEFAULT_VALIDATION_SIZE, 0);
  trainLimit = values.limit === undefined ? undefined : intArg(values.limit, 'limit', 1);
}
/** --extra: the person's digits, trained on with the recipe's own settings. */
let personal: MnistSet | undefined;
if (values.extra) {
  if (!values.init || values.resume) fail('--extra fine-tunes a trained model: give it with --init DIR (and without --resume)');
  const fixed = ['epochs', 'batch', 'lr', 'schedule', 'limit', 'validation', 'augment', 'no-augment', 'teacher', 'distill', 'temperature'].filter((k) => values[k as keyof typeof values] !== undefined && values[k as keyof typeof values] !== false);
  if (fixed.length) fail(`--extra trains with the page's fine-tune recipe (${FINE_TUNE.steps} steps); drop ${fixed.map((k) => `--${k}`).join(', ')}`);
  personal = readExtra(values.extra);
  config = fineTuneConfig(config.model, config.seed);
  validationSize = FINE_TUNE.validationSize;
}

/** The digits the page's kept model would train on. */
function readExtra(file: string): MnistSet {
  let digits;
  try {
    digits = readDigitsFile(new Uint8Array(readFileSync(file)));
  } catch (e) {
    return fail(`--extra ${file}: ${e instanceof DigitsFileError ? e.message : `cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`}`);
  }
  const { train, heldOut } = planFineTune(digits);
  if (heldOut.length) console.error(`--extra: training on ${train.length} of the ${digits.length} digits; like the page, it holds out every fourth of each digit`);
  return toMnistSet(train);
}
/**
 * --augment reference | handwriting | styles | elastic | ROTATION,ZOOM,SHIFT[,SHEAR,THICKNESS[,STYLES[,ELASTIC[,BASES[,OPEN_LOOPS[,SHORT_STEMS]]]]]]
 * (degrees, then fractions, elastic in pixels; e.g. 15,0.15,0.12 or 15,0.15,0.12,0.25,0.5,0.3).
 */
function parseAugment(value: string | undefined): AugmentConfig {
  if (value === undefined) return DEFAULT_AUGMENT;
  if (Object.hasOwn(AUGMENT_PRESETS, value)) return AUGMENT_PRESETS[value as keyof typeof AUGMENT_PRESETS];
  const parts = value.split(',').map(Number);
  if (![3, 5, 6, 7, 8, 9, 10].includes(parts.length) || parts.some((x) => !Number.isFinite(x) || x < 0)) {
    fail(`--augment takes reference, handwriting, styles, elastic or rotation,zoom,shift[,shear,thickness[,styles[,elastic[,bases[,open-loops[,short-stems]]]]]] (e.g. 15,0.15,0.12), got "${value}"`);
  }
  const names = ['rotation', 'zoom', 'shift', 'shear', 'thickness', 'styles', 'elastic', 'bases', 'openLoops', 'shortStems'] as const;
  return Object.fromEntries(parts.map((v, i) => [names[i], v])) as unknown as AugmentConfig;
}

const problems = settingsErrors({ config, validationSize, trainLimit });
if (problems.length) fail(problems.join('; '));
if (config.batchSize % workers !== 0) fail(`--batch ${config.batchSize} must be a multiple of --workers ${workers}`);
guardOutput(outDir, { force: values.force, resume: values.resume, inputs: [...(init && !resume ? [init] : []), ...teachers.map((t) => t.dir)] });

/** A model folder's weights and architecture, for the flag that names it. */
async function readWeights(dir: string, flag: string): Promise<{ model: ModelName | undefined; weights: EncodedTensors }> {
  await initNodeBackend(backend);
  const loaded = await loadModelFromFolder(dir).catch((e: Error) => fail(`${flag}: ${e.message}`));
  try {
    return { model: modelNameOf(loaded), weights: await encodeModelWeights(loaded) };
  } finally {
    loaded.dispose();
  }
}

/** A trained model's weights, checked against the architecture being trained. */
async function initWeights(dir: string, model: ModelName): Promise<EncodedTensors> {
  const { weights } = await readWeights(dir, '--init');
  const fresh = createModel(model);
  try {
    setWeightsFrom(fresh, weights);
  } catch (e) {
    fail(`--init ${dir} does not fit the ${model} model: ${(e as Error).message}`);
  } finally {
    fresh.dispose();
  }
  return weights;
}
const initial = init && !resume ? await initWeights(init, config.model) : undefined;
if (init && !resume) initLog = readTrainingLog(init);

/** A teacher's weights and architecture (any of ours: a teacher need not be the student's kind). */
async function teacherWeights(dir: string): Promise<{ model: ModelName; weights: EncodedTensors }> {
  const { model, weights } = await readWeights(dir, '--teacher');
  return { model: model ?? fail(`--teacher ${dir} is not one of this app's models (${MODEL_NAMES.join(', ')})`), weights };
}
const teacherModels = [];
for (const t of teachers) teacherModels.push(await teacherWeights(t.dir));
if (!resume) teachers = teachers.map((t) => ({ dir: t.dir, log: readTrainingLog(t.dir) }));

const files = await loadMnistFromDisk();
let stopRequested = false;
process.once('SIGINT', () => {
  console.error('\nstopping after this step (Ctrl-C again to abort)');
  stopRequested = true;
  process.once('SIGINT', () => process.exit(130));
});

const started = Date.now();
const tty = process.stderr.isTTY;
let lastLine = 0;
let pendingCheckpoint: Promise<void> = Promise.resolve();
const epochSeconds: number[] = [];
const onEvent = (e: TrainEvent) => {
  if (e.type === 'batch') {
    const now = Date.now();
    if (tty && now - lastLine > 200) {
      lastLine = now;
      const width = 24;
      const filled = Math.round((e.batch / e.batches) * width);
      process.stderr.write(`\repoch ${e.epoch}/${e.epochs} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${e.batch}/${e.batches} loss ${e.loss.toFixed(4)} ${e.imagesPerSecond.toFixed(0)} img/s `);
    } else if (!tty && now - lastLine > 30_000) {
      lastLine = now;
      console.error(`  epoch ${e.epoch} batch ${e.batch}/${e.batches} loss ${e.loss.toFixed(4)} acc ${pct(e.accuracy)} ${e.imagesPerSecond.toFixed(0)} img/s`);
    }
  } else if (e.type === 'epoch') {
    epochSeconds.push(e.seconds);
    const mean = epochSeconds.reduce((a, b) => a + b, 0) / epochSeconds.length;
    const eta = formatDuration(mean * (e.epochs - e.epoch));
    if (tty) process.stderr.write('\r\x1b[K');
    // With --validation 0 there is no validation set to report on.
    const val = Number.isFinite(e.valLoss) ? `val_loss ${e.valLoss.toFixed(4)} val_acc ${pct(e.valAccuracy)}  ` : '';
    console.error(
      `epoch ${e.epoch}/${e.epochs}  loss ${e.trainLoss.toFixed(4)} acc ${pct(e.trainAccuracy)}  ${val}lr ${e.learningRate.toExponential(1)}  ` +
        `${e.imagesPerSecond.toFixed(0)} img/s  ${formatDuration(e.seconds)}  ETA ${eta}`,
    );
  } else if (e.type === 'checkpoint') {
    const wallSeconds = priorWallSeconds + (Date.now() - started) / 1000;
    pendingCheckpoint = pendingCheckpoint.then(() =>
      writeCheckpoint(checkpointDir, e.checkpoint, { validationSize, trainLimit: trainLimit ?? null, wallSeconds, workers, init, initLog, teachers }),
    );
  }
};

const settings = personal ? fineTuneSettings(config.model, initial!, personal, config.seed) : { config, validationSize, trainLimit, resume, initWeights: initial, teachers: teacherModels };
const outcome = await runSession(settings, files, {
  workers,
  backend,
  onEvent,
  shouldStop: () => stopRequested,
});
await pendingCheckpoint;
if (tty) process.stderr.write('\r\x1b[K');
const wallSeconds = priorWallSeconds + (Date.now() - started) / 1000;
const { result } = outcome;
const test = outcome.test!;
if (result.reason === 'diverged') console.error(`\n${result.message}`);

const log = buildTrainingLog({
  settings: { config, validationSize, trainLimit },
  history: result.history,
  stopReason: result.reason,
  message: result.message,
  backend: outcome.backend,
  workers,
  machine: machineInfo(),
  test,
  wallSeconds,
  command: `npm run train -- ${process.argv.slice(2).join(' ')}`,
  init,
  initLog,
  teachers,
  trainFileCount: files.train.count,
});
// A finished run needs no checkpoint; a stopped or diverged one keeps it for --resume.
const keep = (name: string) => result.reason !== 'completed' || !name.startsWith('checkpoint');
const metadata = { trainedBy: 'npm run train', model: config.model, testAccuracy: test.accuracy, epochs: result.epochsDone };
await saveModelToFolder(outcome.model, outDir, metadata, { [TRAINING_LOG]: formatTrainingLog(log) }, keep);
console.error(
  `${result.reason}: ${result.epochsDone} epochs in ${formatDuration(wallSeconds)}; test accuracy ${pct(test.accuracy)} ` +
    `(${test.correct}/${test.count}); model written to ${outDir}`,
);
process.exit(result.reason === 'diverged' ? 1 : 0);
