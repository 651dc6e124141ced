/**
 * npm run eval:drawn -- [--json] [--per-class N] [--model pretrained-modified|pretrained-original|DIR] [--no-build] [--offline [--keep-width]]
 *
 * Replays the real pen strokes of the UCI pen-based digits (7,494 digits by
 * 30 writers) with the mouse on the app's drawing pad in headless Chromium,
 * each at its writer's own size and place, and reports the accuracy of the
 * prediction the page shows: overall, per class, per writer, and the
 * confusion matrix. All digits by default; --per-class N replays a sample.
 * --offline draws the strokes with the pad's rasteriser in Node instead (all
 * 7,494 in about 2 minutes, for quick experiments; the browser remains the reference);
 * only offline, --model also takes a model folder, to check a candidate before shipping it, and
 * --keep-width switches the preprocessing's stroke-width normalisation off.
 */
import { execSync } from 'node:child_process';
import { join } from 'node:path';
import { preview } from 'vite';
import { samplePerClass } from '../src/core/drawing/pendigits';
import { pct } from '../src/core/format';
import { fail, intArg, parseCli } from '../src/node/cli';
import { classifyRasterised, loadPenDigits, summarize, type ReplayResult } from '../src/node/drawnReplay';
import { loadModelFromFolder } from '../src/node/fsModel';
import { initNodeBackend } from '../src/node/nodeBackend';
import { repoRoot, shippedModelsDir } from '../src/node/paths';
import { launchChromium, replayDigit } from './lib/chromium';

const { values } = parseCli('npm run eval:drawn -- [--json] [--per-class N] [--offline [--keep-width]] [--model pretrained-modified|pretrained-original|DIR] [--no-build]', {
  json: { type: 'boolean', default: false },
  'per-class': { type: 'string' },
  model: { type: 'string' },
  'no-build': { type: 'boolean', default: false },
  offline: { type: 'boolean', default: false },
  'keep-width': { type: 'boolean', default: false },
});
const log = (s: string) => values.json || console.error(s);
const SLOTS = ['pretrained-modified', 'pretrained-original'];
const slot = values.model ?? 'pretrained-modified';
const isSlot = SLOTS.includes(slot);
// The page can only load the shipped models, so a folder is checked offline.
if (!isSlot && !values.offline) {
  fail(`--model must be one of ${SLOTS.join(', ')}, or a model folder with --offline; got "${slot}"`);
}
if (values['keep-width'] && !values.offline) fail('--keep-width changes the offline rasteriser\'s preprocessing: add --offline (the page always normalises)');
const all = loadPenDigits();
const digits = values['per-class'] ? samplePerClass(all, intArg(values['per-class'], 'per-class', 20)) : all;

const t0 = Date.now();
const results = values.offline ? await classifyOffline() : await replayInBrowser();

async function classifyOffline(): Promise<ReplayResult[]> {
  await initNodeBackend('wasm');
  const dir = isSlot ? join(shippedModelsDir, slot.replace('pretrained-', 'lenet5-')) : slot;
  const model = await loadModelFromFolder(dir);
  return classifyRasterised(model, digits, values['keep-width'] ? { strokeWidth: null } : undefined);
}

async function replayInBrowser(): Promise<ReplayResult[]> {
  if (!values['no-build']) {
    log('building the app...');
    execSync('npx vite build --logLevel warn', { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const server = await preview({ root: repoRoot, preview: { host: '127.0.0.1', port: 4175, strictPort: true }, logLevel: 'warn' });
  const browser = await launchChromium();
  const results: ReplayResult[] = [];
  try {
    const page = await browser.newPage();
    await page.goto('http://127.0.0.1:4175/');
    await page.getByRole('status').filter({ hasText: 'draw a digit' }).waitFor();
    if (slot !== 'pretrained-modified') await page.getByRole('combobox', { name: 'Model' }).selectOption(slot);
    await page.getByRole('img', { name: 'Draw a digit' }).scrollIntoViewIfNeeded();
    for (const d of digits) {
      results.push(await replayDigit(page, d));
      if (results.length % 250 === 0) {
        const s = summarize(results);
        log(`  ${results.length}/${digits.length}: ${pct(s.accuracy)} so far (${((Date.now() - t0) / results.length).toFixed(0)} ms per digit)`);
      }
    }
  } finally {
    await browser.close();
    await new Promise<void>((r) => server.httpServer.close(() => r()));
  }
  return results;
}

const s = summarize(results);
if (values.json) {
  console.log(JSON.stringify({ model: slot, mode: values.offline ? 'offline' : 'browser', keepWidth: values['keep-width'], seconds: (Date.now() - t0) / 1000, ...s }));
} else {
  console.log(`${slot}: ${pct(s.accuracy)} of ${s.count} drawn digits read right${values.offline ? ' (offline rasteriser)' : ''} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  console.log(`per class: ${s.perClass.map((c) => `${c.digit} ${pct(c.accuracy)}`).join(', ')}`);
  console.log(`per writer: ${s.perWriter.map((w) => `#${w.writer} ${pct(w.accuracy)}`).join(', ')}`);
  console.log('confusion (rows: true digit; columns: shown 0-9, then "no answer"):');
  s.confusion.forEach((row, d) => console.log(`  ${d}: ${row.map((v) => String(v).padStart(4)).join('')}`));
}
process.exit(0);
