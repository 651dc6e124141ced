/**
 * npm run eval:personal -- [--json] [--model DIR] [--writers N] [--steps N] [--workers N]
 *
 * "Teach it your handwriting", headless, for every writer of the pen digits
 * (data/pendigits-orig.tra.gz), drawn by the pad's rasteriser: the writer
 * corrects the first digits the model misreads (at most 5 of each digit), the
 * model is fine-tuned on them with the page's recipe (src/core/train/fineTune.ts),
 * as the page would train the model it keeps (planFineTune), and the writer's other digits, never trained on, are read before and after;
 * so are MNIST's validation split (the keep-or-not decision) and test set.
 * Prints each writer, then the mean and the worst writer before and after.
 * --writers N: only the N worst-read writers (N = 1 names the one the e2e test replays).
 */
import { join } from 'node:path';
import { toMnistSet } from '../src/core/data/personalDigits';
import { evaluateModel } from '../src/core/model/evaluate';
import { modelNameOf } from '../src/core/model/models';
import { encodeModelWeights } from '../src/core/model/weights';
import { pct } from '../src/core/format';
import { fineTuneSettings, FINE_TUNE, planFineTune } from '../src/core/train/fineTune';
import { makeSplits } from '../src/core/data/mnist';
import { defaultWorkers, fail, intArg, parseCli } from '../src/node/cli';
import { classifyRasterised, loadPenDigits } from '../src/node/drawnReplay';
import { loadModelFromFolder } from '../src/node/fsModel';
import { initNodeBackend } from '../src/node/nodeBackend';
import { loadMnistFromDisk } from '../src/node/nodeData';
import { shippedModelsDir } from '../src/node/paths';
import { errorRate, keptDigit, planWriter, writersWorstFirst } from '../src/node/personalEval';
import { runSession } from '../src/node/session';

const { values } = parseCli('npm run eval:personal -- [--json] [--model DIR] [--writers N] [--steps N] [--workers N]', {
  json: { type: 'boolean', default: false },
  model: { type: 'string' },
  writers: { type: 'string' },
  steps: { type: 'string' },
  workers: { type: 'string' },
});
const writersWanted = values.writers === undefined ? Infinity : intArg(values.writers, 'writers', 1);
const steps = intArg(values.steps, 'steps', FINE_TUNE.steps);
const workers = intArg(values.workers, 'workers', defaultWorkers());
if (FINE_TUNE.batchSize % workers) fail(`--workers must divide the batch of ${FINE_TUNE.batchSize}`);
const modelDir = values.model ?? join(shippedModelsDir, 'lenet5-modified');
const log = (s: string) => values.json || console.error(s);

await initNodeBackend('wasm');
const base = await loadModelFromFolder(modelDir).catch((e: Error) => fail(e.message));
const arch = modelNameOf(base) ?? fail(`${modelDir} is neither of our architectures, so there is no recipe to fine-tune it with`);
const initWeights = await encodeModelWeights(base);
const files = await loadMnistFromDisk();
const splits = makeSplits(files.train, files.test, FINE_TUNE.validationSize);
const t0 = Date.now();
log('reading every pen digit with the model...');
const all = classifyRasterised(base, loadPenDigits());
const mnistBefore = { validation: (await evaluateModel(base, splits.validation)).accuracy, test: (await evaluateModel(base, splits.test)).accuracy };
base.dispose();

interface Row { writer: number; digits: number; corrected: number; measured: number; errorBefore: number; errorAfter: number; validationAfter: number; testAfter: number; seconds: number }
const rows: Row[] = [];
for (const { writer, results } of writersWorstFirst(all).slice(0, writersWanted)) {
  const { corrections, rest } = planWriter(results);
  const row: Row = { writer, digits: results.length, corrected: corrections.length, measured: rest.length, errorBefore: errorRate(rest), errorAfter: errorRate(rest), validationAfter: mnistBefore.validation, testAfter: mnistBefore.test, seconds: 0 };
  if (corrections.length) {
    // What the page's kept model trains on (planFineTune); the writer's other digits are the hold-out.
    const personal = toMnistSet(planFineTune(corrections.map((r) => keptDigit(r.digit, r.predicted))).train);
    const { result, model, test } = await runSession(fineTuneSettings(arch, initWeights, personal, 1, steps), files, { workers });
    row.errorAfter = errorRate(classifyRasterised(model, rest.map((r) => r.digit)));
    row.validationAfter = (await evaluateModel(model, splits.validation)).accuracy;
    row.testAfter = test!.accuracy;
    row.seconds = result.seconds;
    model.dispose();
  }
  rows.push(row);
  log(`writer ${writer}: ${row.corrected} corrected; the other ${row.measured} misread ${pct(row.errorBefore)} -> ${pct(row.errorAfter)}; MNIST validation ${pct(mnistBefore.validation)} -> ${pct(row.validationAfter)}, test ${pct(mnistBefore.test)} -> ${pct(row.testAfter)} (fine-tune ${row.seconds.toFixed(1)} s)`);
}

const mean = (f: (r: Row) => number, of = rows) => of.reduce((a, r) => a + f(r), 0) / of.length;
const worst = rows[0];
const summary = {
  model: modelDir,
  steps,
  writers: rows.length,
  mnistBefore,
  meanErrorBefore: mean((r) => r.errorBefore),
  meanErrorAfter: mean((r) => r.errorAfter),
  worst: { writer: worst.writer, errorBefore: worst.errorBefore, errorAfter: worst.errorAfter },
  meanTestAfter: mean((r) => r.testAfter),
  lowestTestAfter: Math.min(...rows.map((r) => r.testAfter)),
  lowestValidationAfter: Math.min(...rows.map((r) => r.validationAfter)),
  /** Of the writers who had digits to correct: the benchmark the recipe's step count is set by (about 30 s). */
  meanFineTuneSeconds: mean((r) => r.seconds, rows.filter((r) => r.corrected)),
  seconds: (Date.now() - t0) / 1000,
  rows,
};
if (values.json) console.log(JSON.stringify(summary));
else {
  console.log(`${rows.length} writers, ${steps} fine-tune steps each (about ${summary.meanFineTuneSeconds.toFixed(0)} s), each writer's uncorrected digits:`);
  console.log(`  mean error ${pct(summary.meanErrorBefore)} -> ${pct(summary.meanErrorAfter)}`);
  console.log(`  worst writer (#${worst.writer}) ${pct(worst.errorBefore)} -> ${pct(worst.errorAfter)}`);
  console.log(`  MNIST validation ${pct(mnistBefore.validation)} -> lowest ${pct(summary.lowestValidationAfter)}; test ${pct(mnistBefore.test)} -> mean ${pct(summary.meanTestAfter)}, lowest ${pct(summary.lowestTestAfter)}`);
}
process.exit(0);
