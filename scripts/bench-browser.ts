/**
 * npm run bench:browser -- [--json] [--skip-slow]
 *
 * Builds the app (with its benchmark page), serves it on 127.0.0.1 with the
 * production headers, drives headless Chromium and prints:
 *  - training images/s of the modified LeNet-5 on each backend (webgl, wasm,
 *    cpu), batch 64, through our trainer in a worker, and a bare trainOnBatch loop;
 *  - like with like: our trainer in the page with one replica per core against
 *    the same in Node (`npm run bench:train`'s path) in this run, and the app's
 *    own training (worker, augmentation, charts, weight streaming, the same
 *    replicas) of an epoch of the full training set against the page's trainer:
 *    the second of two, as the trainer's figure leaves out its warm-up steps;
 *    the first, with pen digits drawn during it, is printed too;
 *  - prediction latency, stroke end to prediction shown (median, p95), with the layer view
 *    closed and open in alternating rounds;
 *  - cold start: navigation to the first prediction ready;
 *  - the longest main-thread task while training (Long Tasks API);
 *  - gzip size of the JavaScript (and the wasm) loaded before the first prediction, and in all.
 * Figures only; nothing is asserted.
 */
import { execSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { preview } from 'vite';
import { availableParallelism } from 'node:os';
import { samplePerClass } from '../src/core/drawing/pendigits';
import { DEFAULT_AUGMENT } from '../src/core/train/types';
import { DEFAULT_SCHEDULES } from '../src/core/train/schedule';
import { loadMnistFromDisk } from '../src/node/nodeData';
import { runSession } from '../src/node/session';
import { loadPenDigits } from '../src/node/drawnReplay';
import { parseCli } from '../src/node/cli';
import { repoRoot } from '../src/node/paths';
import { launchChromium, replayDigit } from './lib/chromium';

const { values } = parseCli('npm run bench:browser -- [--json] [--skip-slow]', { json: { type: 'boolean', default: false }, 'skip-slow': { type: 'boolean', default: false } });
const log = (s: string) => values.json || console.error(s);
const PORT = 4176;
const ORIGIN = `http://127.0.0.1:${PORT}`;
const BATCH = 64;
/** One replica per core, as the app and `npm run train` run. */
const REPLICAS = Math.min(4, availableParallelism());
/** Timed steps of our trainer in the page and in Node: long enough (a third of an epoch) to set against the app's whole epoch. */
const TIMED_STEPS = 300;
const kb = (n: number) => (n / 1024).toFixed(0);

log('building the app and its benchmark page...');
execSync('npx vite build --mode bench --outDir dist-bench --logLevel warn', { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
const server = await preview({
  root: repoRoot,
  mode: 'bench',
  build: { outDir: 'dist-bench' },
  preview: { host: '127.0.0.1', port: PORT, strictPort: true },
  logLevel: 'warn',
});
const browser = await launchChromium();

/** Gzip bytes of the JavaScript and wasm among these URLs (each counted once). */
async function gzipBytes(urls: string[]): Promise<{ js: number; wasm: number; files: number }> {
  const unique = [...new Set(urls.filter((u) => /\.(js|wasm)$/.test(u)))];
  const out = { js: 0, wasm: 0, files: unique.length };
  for (const u of unique) out[u.endsWith('.js') ? 'js' : 'wasm'] += gzipSync(new Uint8Array(await (await fetch(u)).arrayBuffer()), { level: 9 }).length;
  return out;
}

/** Our trainer in Node with REPLICAS replicas, timed like the page's (bench:train's path). */
async function nodeTraining(): Promise<number> {
  const config = { model: 'modified' as const, epochs: 1, batchSize: BATCH, learningRate: 1e-3, schedule: DEFAULT_SCHEDULES.constant, augment: DEFAULT_AUGMENT, seed: 1 };
  let t0 = 0;
  let t1 = 0;
  const outcome = await runSession({ config, validationSize: 0, trainLimit: BATCH * (TIMED_STEPS + 11) }, await loadMnistFromDisk(), {
    workers: REPLICAS,
    evaluateTest: false,
    onEvent: (e) => {
      if (e.type === 'batch' && e.step === 10) t0 = performance.now();
      if (e.type === 'batch' && e.step === TIMED_STEPS + 10) t1 = performance.now();
    },
    shouldStop: () => t1 > 0,
  });
  outcome.model.dispose();
  return (TIMED_STEPS * BATCH * 1000) / (t1 - t0);
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};

interface Bench {
  ok: boolean;
  imagesPerSecond?: number;
  msPerStep?: number;
  error?: string;
}

async function benchPage(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${ORIGIN}/bench.html`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
  return page;
}

async function runBench(page: Page, req: object): Promise<Bench> {
  return page.evaluate((r) => window.runBench(r as Parameters<typeof window.runBench>[0]), req);
}

const results: Record<string, unknown> = {};
try {
  // 1. Per-backend training throughput through our trainer.
  const bp = await benchPage();
  const backends: Record<string, Bench> = {};
  for (const backend of ['wasm', 'webgl', 'cpu'] as const) {
    const slow = backend !== 'wasm';
    if (slow && values['skip-slow']) continue;
    log(`training on ${backend}...`);
    // Software WebGL and plain JS are very slow here: fewer steps, still after a warm-up step.
    backends[backend] = await runBench(bp, { backend, model: 'modified', batchSize: BATCH, warmup: slow ? 1 : 5, steps: backend === 'cpu' ? 1 : slow ? 3 : 30, mode: 'trainer' });
    log(`  ${backend}: ${backends[backend].ok ? `${backends[backend].imagesPerSecond!.toFixed(1)} images/s` : backends[backend].error}`);
  }
  results.trainingImagesPerSecond = Object.fromEntries(Object.entries(backends).map(([k, v]) => [k, v.ok ? v.imagesPerSecond : null]));

  // 2. The bare trainOnBatch baseline, and our trainer with one replica per core, as the app runs it.
  log('bare trainOnBatch loop on wasm...');
  const bare = await runBench(bp, { backend: 'wasm', model: 'modified', batchSize: BATCH, warmup: 5, steps: 30, mode: 'trainOnBatch' });
  log(`  ${bare.ok ? `${bare.imagesPerSecond!.toFixed(1)} images/s` : bare.error}`);
  log(`our trainer on wasm, ${REPLICAS} replicas...`);
  const pageReplicas = await runBench(bp, { backend: 'wasm', model: 'modified', batchSize: BATCH, warmup: 10, steps: TIMED_STEPS, mode: 'trainer', replicas: REPLICAS });
  log(`  ${pageReplicas.ok ? `${pageReplicas.imagesPerSecond!.toFixed(1)} images/s` : pageReplicas.error}`);
  await bp.close();

  // 3. The same in Node, in this run (bench:train's path).
  log(`the same in Node, ${REPLICAS} replicas...`);
  const nodeIps = await nodeTraining();
  log(`  ${nodeIps.toFixed(1)} images/s`);

  // 4. The app: cold start, then training on its own (wasm) with the page live, long tasks watched.
  const page = await browser.newPage();
  await page.addInitScript(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push(e.duration))).observe({ type: 'longtask', buffered: true });
  });
  const requests: string[] = [];
  page.on('response', (r) => requests.push(r.url()));
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction(() => performance.getEntriesByName('cold-start').length > 0, null, { timeout: 60_000 });
  const coldStartMs = await page.evaluate(() => performance.getEntriesByName('cold-start')[0].duration);
  log(`cold start: ${coldStartMs.toFixed(0)} ms`);
  const atStart = await gzipBytes(requests);
  log(`before the first prediction: ${kb(atStart.js)} KiB of JavaScript and ${kb(atStart.wasm)} KiB of wasm (gzip), ${atStart.files} files`);

  // Prediction latency: real pen digits replayed on the pad, in rounds with the layer view closed and open in turn.
  const digits = samplePerClass(loadPenDigits(), 2);
  const latency = { closed: [] as number[], open: [] as number[] };
  const layerView = page.locator('details.layers');
  for (const open of [false, true, false, true, false, true]) {
    if ((await layerView.getAttribute('open')) !== (open ? '' : null)) await layerView.locator('summary').click();
    await page.evaluate(() => performance.clearMeasures('stroke-to-prediction'));
    for (const d of digits) await replayDigit(page, d);
    latency[open ? 'open' : 'closed'].push(...(await page.evaluate(() => performance.getEntriesByName('stroke-to-prediction').map((e) => e.duration))));
  }
  const latencies = latency.closed;
  const openP95OverClosed = quantile(latency.open, 0.95) / quantile(latencies, 0.95);
  log(`prediction latency: median ${quantile(latencies, 0.5).toFixed(1)} ms, p95 ${quantile(latencies, 0.95).toFixed(1)} ms (${latencies.length} strokes)`);
  log(`with the layer view open: median ${quantile(latency.open, 0.5).toFixed(1)} ms, p95 ${quantile(latency.open, 0.95).toFixed(1)} ms (${latency.open.length} strokes); p95 open / closed: ${openP95OverClosed.toFixed(2)}`);
  await layerView.locator('summary').click();

  log('training in the app (wasm, two epochs of the full training set, the other settings at their defaults), drawing during the first...');
  await page.evaluate(() => ((window as unknown as { longTasks: number[] }).longTasks.length = 0));
  const train = page.getByRole('region', { name: 'Train in your browser' });
  await train.getByRole('spinbutton', { name: 'Epochs' }).fill('2');
  await train.getByLabel('Training set').selectOption({ label: 'Full (55,000 images)' }); // the largest
  await train.getByLabel('Backend').selectOption('wasm');
  await train.getByLabel('Test on the 10,000 test images after every epoch').uncheck();
  await train.getByRole('button', { name: 'Train' }).click();
  const during = samplePerClass(loadPenDigits(), 2);
  for (const d of during) await replayDigit(page, d);
  await page.getByTestId('progress-text').filter({ hasText: 'Training finished' }).waitFor({ timeout: 1_800_000 });
  const [drawnEpochIps, appIps] = await page.getByTestId('epochs').locator('td[data-ips]').evaluateAll((tds) => tds.map((td) => Number((td as HTMLElement).dataset.ips)));
  const appTime = await page.getByTestId('progress-text').textContent();
  const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  const inAll = await gzipBytes(requests);
  log(`app training: epoch 2 ${appIps.toFixed(1)} images/s; epoch 1, its first steps' warm-up and ${during.length} digits drawn in it, ${drawnEpochIps.toFixed(1)} images/s (${appTime})`);
  log(`longest main-thread task while training: ${longTasks.length ? Math.max(...longTasks).toFixed(0) : 0} ms (${longTasks.length} tasks over 50 ms)`);
  log(`in all: ${kb(inAll.js)} KiB of JavaScript and ${kb(inAll.wasm)} KiB of wasm (gzip), ${inAll.files} files`);
  const pageOverNode = pageReplicas.ok ? pageReplicas.imagesPerSecond! / nodeIps : null;
  const appOverPage = pageReplicas.ok ? appIps / pageReplicas.imagesPerSecond! : null;
  log(`our trainer in the page / in Node, ${REPLICAS} replicas each: ${pageOverNode?.toFixed(2)}`);
  log(`the app's training / our trainer in the page: ${appOverPage?.toFixed(2)}`);

  Object.assign(results, {
    batchSize: BATCH,
    model: 'modified',
    replicas: REPLICAS,
    pageTrainerImagesPerSecond: pageReplicas.ok ? pageReplicas.imagesPerSecond : null,
    nodeTrainerImagesPerSecond: nodeIps,
    pageOverNode,
    appTrainingImagesPerSecond: appIps,
    appOverPage,
    appFirstEpochWithDrawingImagesPerSecond: drawnEpochIps,
    appTime,
    bareTrainOnBatchImagesPerSecond: bare.ok ? bare.imagesPerSecond : null,
    predictionLatencyMs: { median: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), samples: latencies.length },
    layerViewOpenLatencyMs: { median: quantile(latency.open, 0.5), p95: quantile(latency.open, 0.95), samples: latency.open.length },
    openP95OverClosed,
    coldStartMs,
    longestMainThreadTaskMs: longTasks.length ? Math.max(...longTasks) : 0,
    longTasksOver50ms: longTasks.length,
    beforeFirstPrediction: atStart,
    inAll,
  });
} finally {
  await browser.close();
  await new Promise<void>((r) => server.httpServer.close(() => r()));
}
if (values.json) console.log(JSON.stringify(results));
process.exit(0);
