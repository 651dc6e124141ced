/**
 * npm run eval:robust -- [--json] [--model DIR ...] [--limit N] [--keep-width]
 *
 * The shipped models (or the model folders given) on MNIST's test set under
 * the changes a person makes on the pad: every image drawn onto the 280x280
 * pad, thinned or thickened, turned, slanted, shrunk or pushed into a corner
 * (src/core/drawing/robustness.ts), then put through the pad's preprocessing.
 * --keep-width switches the preprocessing's stroke-width normalisation off,
 * to see what the model itself makes of the widths.
 */
import { basename, join } from 'node:path';
import { IMAGE_PIXELS, sliceSet } from '../src/core/data/mnist';
import { preprocessDrawing } from '../src/core/drawing/digit';
import { centreLines, onPad, PAD_CONDITIONS, restroke } from '../src/core/drawing/robustness';
import { pct } from '../src/core/format';
import { evaluateModel } from '../src/core/model/evaluate';
import { intArg, parseCli } from '../src/node/cli';
import { loadModelFromFolder } from '../src/node/fsModel';
import { initNodeBackend } from '../src/node/nodeBackend';
import { loadMnistFromDisk } from '../src/node/nodeData';
import { shippedModelsDir } from '../src/node/paths';

const { values } = parseCli('npm run eval:robust -- [--json] [--model DIR ...] [--limit N] [--keep-width]', {
  json: { type: 'boolean', default: false },
  model: { type: 'string', multiple: true },
  limit: { type: 'string' },
  'keep-width': { type: 'boolean', default: false },
});
const dirs = values.model ?? ['lenet5-modified', 'lenet5-original'].map((d) => join(shippedModelsDir, d));
const log = (s: string) => values.json || console.error(s);

await initNodeBackend('wasm');
const models = await Promise.all(dirs.map((d) => loadModelFromFolder(d)));
const full = (await loadMnistFromDisk()).test;
const test = sliceSet(full, 0, Math.min(full.count, intArg(values.limit, 'limit', full.count)));
const strokeWidth = values['keep-width'] ? null : undefined;

const rows: { condition: string; accuracy: number[]; perClass: number[][] }[] = [];
const t0 = performance.now();
const plain = await Promise.all(models.map((m) => evaluateModel(m, test)));
rows.push({ condition: 'MNIST as is (no pad)', accuracy: plain.map((e) => e.accuracy), perClass: plain.map((e) => e.perClassAccuracy) });
// Image by image, so the pad drawing and its centre lines are made once for all rows.
const sets = PAD_CONDITIONS.map(() => new Uint8Array(test.count * IMAGE_PIXELS));
for (let i = 0; i < test.count; i++) {
  const src = Float32Array.from(test.images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS), (v) => v / 255);
  const drawn = onPad(src, { kind: 'none' });
  const lines = centreLines(drawn);
  PAD_CONDITIONS.forEach(({ shift }, c) => {
    const img = shift.kind === 'none' ? drawn : shift.kind === 'stroke' ? restroke(lines, shift.width) : onPad(src, shift);
    const { pixels } = preprocessDrawing(img, { strokeWidth });
    // Bytes, as a PNG of the drawing would hold them.
    for (let p = 0; p < IMAGE_PIXELS; p++) sets[c][i * IMAGE_PIXELS + p] = Math.round(pixels[p] * 255);
  });
  if ((i + 1) % 1000 === 0) log(`  ${i + 1} of ${test.count} images drawn (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}
for (const [c, { name }] of PAD_CONDITIONS.entries()) {
  const evs = await Promise.all(models.map((m) => evaluateModel(m, { images: sets[c], labels: test.labels, count: test.count })));
  rows.push({ condition: name, accuracy: evs.map((e) => e.accuracy), perClass: evs.map((e) => e.perClassAccuracy) });
}

const names = dirs.map((d) => basename(d));
if (values.json) {
  console.log(JSON.stringify({ models: dirs, images: test.count, keepWidth: values['keep-width'], seconds: (performance.now() - t0) / 1000, rows }));
} else {
  console.log(`${test.count} MNIST test images on the pad${values['keep-width'] ? ', stroke width kept' : ''}; accuracy (worst class)`);
  console.log(`| condition | ${names.join(' | ')} |\n|---|${names.map(() => '---|').join('')}`);
  for (const r of rows) {
    console.log(`| ${r.condition} | ${r.accuracy.map((a, i) => `${pct(a)} (${pct(Math.min(...r.perClass[i]))})`).join(' | ')} |`);
  }
}
process.exit(0);
