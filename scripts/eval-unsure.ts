/**
 * npm run eval:unsure -- [--model DIR] [--json] [--write]
 *
 * Chooses a model's unsure rule (src/core/model/unsureChoice.ts) on the
 * validation split of MNIST's training images (the last 5,000) and reports
 * how often it fires, and how often the answers it lets through as sure are
 * wrong, on MNIST's test set, on the UCI pen-written digits and on drawings
 * that are no digit (src/core/drawing/nonDigits.ts), the last two drawn with
 * the pad's rasteriser and preprocessing. Both shipped models unless --model;
 * --write stores the rule beside the weights as unsure.json, where the page reads it.
 */
import { relative } from 'node:path';
import * as tf from '../src/core/tf';
import { IMAGE_PIXELS, IMAGE_SIZE, makeSplits, type MnistSet } from '../src/core/data/mnist';
import { nonDigitSet } from '../src/core/drawing/nonDigits';
import { toPad, type PenPoint } from '../src/core/drawing/pendigits';
import { drawOnPad, PAD_SIZE } from '../src/core/drawing/strokeRaster';
import { pct } from '../src/core/format';
import { evidence, UNSURE_FILE, type UnsureRule } from '../src/core/model/unsure';
import { chooseRule, ruleFigures, type RuleFigures, type Sample } from '../src/core/model/unsureChoice';
import { writeFolder } from '../src/node/atomicFolder';
import { parseCli } from '../src/node/cli';
import { loadPenDigits } from '../src/node/drawnReplay';
import { loadModelFromFolder, weightsDigest } from '../src/node/fsModel';
import { initNodeBackend } from '../src/node/nodeBackend';
import { loadMnistFromDisk } from '../src/node/nodeData';
import { shippedModelsDir } from '../src/node/paths';

const { values } = parseCli('npm run eval:unsure -- [--model DIR] [--json] [--write]', {
  model: { type: 'string' },
  json: { type: 'boolean', default: false },
  write: { type: 'boolean', default: false },
});
const dirs = values.model ? [values.model] : ['lenet5-modified', 'lenet5-original'].map((m) => `${shippedModelsDir}/${m}`);
const log = (s: string) => values.json || console.error(s);

/** Images (784 values each, 0 = paper) with their labels; -1 for drawings that are no digit. */
interface Inputs {
  pixels: Float32Array;
  labels: number[];
}

const fromMnist = (set: MnistSet): Inputs => ({ pixels: Float32Array.from(set.images, (v) => v / 255), labels: Array.from(set.labels) });

function fromStrokes(drawings: PenPoint[][][], labels: number[]): Inputs {
  const pixels = new Float32Array(drawings.length * IMAGE_PIXELS);
  drawings.forEach((strokes, i) => pixels.set(drawOnPad(strokes).pixels, i * IMAGE_PIXELS));
  return { pixels, labels };
}

function samplesOf(model: tf.LayersModel, { pixels, labels }: Inputs): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < labels.length; i += 500) {
    const n = Math.min(500, labels.length - i);
    const x = pixels.subarray(i * IMAGE_PIXELS, (i + n) * IMAGE_PIXELS);
    const probs = tf.tidy(() => model.predict(tf.tensor4d(x, [n, IMAGE_SIZE, IMAGE_SIZE, 1])) as tf.Tensor);
    const p = probs.dataSync();
    probs.dispose();
    for (let j = 0; j < n; j++) {
      out.push({ evidence: evidence(p.subarray(j * 10, j * 10 + 10), x.subarray(j * IMAGE_PIXELS, (j + 1) * IMAGE_PIXELS)), label: labels[i + j] });
    }
  }
  return out;
}

await initNodeBackend('wasm');
const models = await Promise.all(dirs.map(loadModelFromFolder)); // a bad folder fails before the slow part
log('drawing the pen digits and the non-digits on the pad...');
const files = await loadMnistFromDisk();
const { validation, test } = makeSplits(files.train, files.test);
const pen = loadPenDigits();
const nonDigits = nonDigitSet();
const sets = {
  'MNIST validation': fromMnist(validation),
  'MNIST test': fromMnist(test),
  'pen digits': fromStrokes(pen.map((d) => d.strokes.map((s) => s.map((p) => toPad(p, PAD_SIZE)))), pen.map((d) => d.label)),
  'non-digits': fromStrokes(nonDigits.map((d) => d.strokes), nonDigits.map(() => -1)),
};
const groups = (key: 'category' | 'kind') => [...new Set(nonDigits.map((d) => d[key]))];

for (const [m, dir] of dirs.entries()) {
  const model = models[m];
  const samples = Object.fromEntries(Object.entries(sets).map(([name, inputs]) => [name, samplesOf(model, inputs)]));
  model.dispose();
  const rule = chooseRule(samples['MNIST validation']);
  const figures = Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, ruleFigures(s, rule)]));
  const nd = samples['non-digits'];
  const by = (key: 'category' | 'kind') =>
    Object.fromEntries(groups(key).map((g) => [g, ruleFigures(nd.filter((_, i) => nonDigits[i][key] === g), rule)]));
  if (values.write) {
    const file = { ...rule, chosenOn: `the last ${validation.count.toLocaleString('en-US')} MNIST training images (npm run eval:unsure)`, weightsSha256: await weightsDigest(dir) };
    await writeFolder(dir, { [UNSURE_FILE]: `${JSON.stringify(file, null, 1)}\n` });
  }
  if (values.json) console.log(JSON.stringify({ model: dir, rule, figures, nonDigits: { byCategory: by('category'), byKind: by('kind') }, written: values.write }));
  else report(dir, rule, figures, by('category'));
}

function report(dir: string, rule: UnsureRule, figures: Record<string, RuleFigures>, categories: Record<string, RuleFigures>) {
  console.log(`\nmodel ${relative(process.cwd(), dir) || dir}${values.write ? ` (rule written to ${UNSURE_FILE})` : ''}`);
  console.log(`rule, chosen on the last 5,000 MNIST training images: "a or b?" when the top two are within ${rule.minMargin.toFixed(4)};`);
  console.log(`not a digit when the top two hold under ${pct(rule.minTopTwo)}, the ink encloses more than ${rule.maxHoles} holes, or is over ${rule.maxAspect.toFixed(2)} times wider than tall`);
  const row = (name: string, f: RuleFigures) =>
    console.log(
      `  ${name.padEnd(26)}${pct(f.unsure).padStart(8)}${pct(f.notADigit).padStart(13)}${pct(f.fires).padStart(8)}` +
        (f.wrongWithoutRule === 1 ? `   answered as a digit: ${pct(1 - f.fires)}` : `${pct(f.wrongWhenSure).padStart(12)} (${pct(f.wrongWithoutRule)} of all)`),
    );
  console.log(`  ${''.padEnd(26)}${'unsure'.padStart(8)}${'not a digit'.padStart(13)}${'fires'.padStart(8)}   wrong when it does not fire`);
  for (const [name, f] of Object.entries(figures)) row(`${name} (${f.count.toLocaleString('en-US')})`, f);
  for (const [name, f] of Object.entries(categories)) row(`  ${name}s (${f.count.toLocaleString('en-US')})`, f);
}
process.exit(0);
