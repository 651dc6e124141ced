/**
 * npm run bench:browser -- [--json] [--skip-slow]
 *
 * Builds the app (with its benchmark page), serves it on 127.0.0.1 with the
 * production headers, drives headless Chromium and prints:
 *  - training images/s of the modified LeNet-5 on each backend (webgl, wasm,
 *    cpu), batch 64, through our trainer in a worker;
 *  - pipeline efficiency: the app's full path (worker, augmentation, events,
 *    charts, live page) over a bare trainOnBatch loop, same backend and batch;
 *  - prediction latency, stroke end to prediction shown (median, p95);
 *  - cold start: navigation to the first prediction ready;
 *  - the longest main-thread task while training (Long Tasks API);
 *  - gzip size of the JavaScript the page loads.
 * Figures only; nothing is asserted.
 */
import { execSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { preview } from 'vite';
import { samplePerClass } from '../src/core/drawing/pendigits';
import { loadPenDigits } from '../src/node/drawnReplay';
import { parseCli } from '../src/node/cli';
import { repoRoot } from '../src/node/paths';
import { launchChromium, replayDigit } from './lib/chromium';

const { values } = parseCli('npm run bench:browser -- [--json] [--skip-slow]', { json: { type: 'boolean', default: false }, 'skip-slow': { type: 'boolean', default: false } });
const log = (s: string) => values.json || console.error(s);
const PORT = 4176;
const ORIGIN = `http://127.0.0.1:${PORT}`;
const BATCH = 64;

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

  // 2. Bare trainOnBatch loop on wasm, for the efficiency ratio.
  log('bare trainOnBatch loop on wasm...');
  const bare = await runBench(bp, { backend: 'wasm', model: 'modified', batchSize: BATCH, warmup: 5, steps: 30, mode: 'trainOnBatch' });
  await bp.close();

  // 3. The app: cold start, then training on its own (wasm) with the page live, long tasks watched.
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

  const jsFiles = [...new Set(requests.filter((u) => u.endsWith('.js')))];
  let jsGzip = 0;
  for (const u of jsFiles) {
    const body = await (await fetch(u)).arrayBuffer();
    jsGzip += gzipSync(new Uint8Array(body), { level: 9 }).length;
  }
  log(`JavaScript loaded: ${jsFiles.length} files, ${(jsGzip / 1024).toFixed(0)} KiB gzip`);

  // Prediction latency: real pen digits replayed on the pad.
  const digits = samplePerClass(loadPenDigits(), 3);
  await page.evaluate(() => performance.clearMeasures('stroke-to-prediction'));
  for (const d of digits) await replayDigit(page, d);
  const latencies = await page.evaluate(() => performance.getEntriesByName('stroke-to-prediction').map((e) => e.duration));
  log(`prediction latency: median ${quantile(latencies, 0.5).toFixed(1)} ms, p95 ${quantile(latencies, 0.95).toFixed(1)} ms (${latencies.length} strokes)`);

  log('training in the app (wasm, 2,000 images, 2 epochs) while drawing...');
  await page.evaluate(() => ((window as unknown as { longTasks: number[] }).longTasks.length = 0));
  const train = page.getByRole('region', { name: 'Train in your browser' });
  await train.getByRole('spinbutton', { name: 'Epochs' }).fill('2');
  await train.getByLabel('Training set').selectOption({ label: '2,000 images (quick demo)' });
  await train.getByLabel('Backend').selectOption('wasm');
  await train.getByLabel('Test on the 10,000 test images after every epoch').uncheck();
  await train.getByRole('button', { name: 'Train' }).click();
  const during = samplePerClass(loadPenDigits(), 2);
  for (const d of during) await replayDigit(page, d);
  await page.getByTestId('progress-text').filter({ hasText: 'Training finished' }).waitFor({ timeout: 600_000 });
  const epochIps = await page.getByTestId('epochs').locator('td[data-ips]').evaluateAll((tds) => tds.map((td) => Number((td as HTMLElement).dataset.ips)));
  const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  const appIps = epochIps[epochIps.length - 1];
  log(`app training: ${appIps.toFixed(1)} images/s (epoch 2); bare trainOnBatch: ${bare.ok ? bare.imagesPerSecond!.toFixed(1) : bare.error} images/s`);
  log(`longest main-thread task while training: ${longTasks.length ? Math.max(...longTasks).toFixed(0) : 0} ms (${longTasks.length} tasks over 50 ms)`);

  Object.assign(results, {
    batchSize: BATCH,
    model: 'modified',
    appTrainingImagesPerSecond: appIps,
    bareTrainOnBatchImagesPerSecond: bare.ok ? bare.imagesPerSecond : null,
    pipelineEfficiency: bare.ok ? appIps / bare.imagesPerSecond! : null,
    predictionLatencyMs: { median: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), samples: latencies.length },
    coldStartMs,
    longestMainThreadTaskMs: longTasks.length ? Math.max(...longTasks) : 0,
    longTasksOver50ms: longTasks.length,
    javascriptGzipBytes: jsGzip,
    javascriptFiles: jsFiles.length,
  });
  if (results.pipelineEfficiency) log(`pipeline efficiency: ${(results.pipelineEfficiency as number).toFixed(2)}`);
} finally {
  await browser.close();
  await new Promise<void>((r) => server.httpServer.close(() => r()));
}
if (values.json) console.log(JSON.stringify(results));
process.exit(0);
