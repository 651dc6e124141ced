/**
 * npm run soup -- --out DIR [--force] MODEL_DIR MODEL_DIR...
 *
 * Averages the weights of models of one architecture fine-tuned from one
 * parent (src/core/model/soup.ts), tests the result on the official 10,000 test
 * images, and writes it to DIR like `npm run train` does: model.json,
 * weights.bin, and training-log.json, which keeps each ingredient's own log.
 */
import { resolve } from 'node:path';
import { evaluateModel } from '../src/core/model/evaluate';
import { modelNameOf } from '../src/core/model/models';
import { averageWeightsInto } from '../src/core/model/soup';
import { pct } from '../src/core/format';
import { fail, machineInfo, parseCli } from '../src/node/cli';
import { guardOutput, loadModelFromFolder, readTrainingLog, saveModelToFolder, TRAINING_LOG } from '../src/node/fsModel';
import { initNodeBackend } from '../src/node/nodeBackend';
import { loadMnistFromDisk } from '../src/node/nodeData';

const { values, positionals } = parseCli('npm run soup -- --out DIR [--force] MODEL_DIR MODEL_DIR...', { out: { type: 'string' }, force: { type: 'boolean', default: false } }, true);
if (!values.out) fail('--out DIR is required');
if (positionals.length < 2) fail(`a soup needs at least two model folders, got ${positionals.length}`);
const outDir = resolve(values.out);
guardOutput(outDir, { force: values.force, inputs: positionals });

const started = Date.now();
const backend = await initNodeBackend('wasm');
const dirs = positionals.map((d) => resolve(d));
const models = await Promise.all(dirs.map((d) => loadModelFromFolder(d)));
const names = models.map(modelNameOf);
if (!names[0] || names.some((n) => n !== names[0])) fail(`the models must share one architecture; got ${names.map((n) => n ?? 'unknown').join(', ')}`);
// The means are all taken before any weight is set, so the first ingredient can hold the soup.
const soup = models[0];
try {
  averageWeightsInto(soup, models);
} catch (e) {
  fail((e as Error).message);
}

const { test } = await loadMnistFromDisk();
const ev = await evaluateModel(soup, test);
const log = {
  model: names[0],
  soupOf: dirs.map((dir) => ({ dir, log: readTrainingLog(dir) })),
  backend,
  machine: machineInfo(),
  epochs: [],
  testAccuracy: ev.accuracy,
  testLoss: ev.loss,
  testCount: ev.count,
  perClassAccuracy: ev.perClassAccuracy,
  confusion: ev.confusion,
  wallSeconds: (Date.now() - started) / 1000,
  finishedAt: new Date().toISOString(),
  command: `npm run soup -- ${process.argv.slice(2).join(' ')}`,
};
const metadata = { trainedBy: 'npm run soup', model: names[0], testAccuracy: ev.accuracy, ingredients: dirs.length };
await saveModelToFolder(soup, outDir, metadata, { [TRAINING_LOG]: `${JSON.stringify(log, null, 1)}\n` });
console.error(`soup of ${dirs.length} ${names[0]} models: test accuracy ${pct(ev.accuracy)} (${ev.correct}/${ev.count}); written to ${outDir}`);
