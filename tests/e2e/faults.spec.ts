/**
 * Faults a person can meet, injected for real: missing or broken data files
 * (route interception), bad weights files, a diverging learning rate, a page
 * reload mid-training, a lost WebGL context; plus the memory and network
 * guarantees and the Content-Security-Policy.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { repoRoot } from '../../src/node/paths';
import { drawStrokes, openApp, predictionText, SEVEN, startTraining } from './helpers';

const progress = (page: Page) => page.getByTestId('progress-text');

for (const fault of ['404', 'truncated', 'corrupt', 'stalled'] as const) {
  test(`a data file that is ${fault === '404' ? 'missing (404)' : fault} gets a clear message and a working Retry`, async ({ page, context }) => {
    // The page hands the worker this timeout (30 s for people) from localStorage.
    if (fault === 'stalled') await page.addInitScript(() => localStorage.setItem('mnist-trainer:data-timeout-s', '3'));
    const file = '**/data/mnist/train-labels-idx1-ubyte.gz';
    // On the context: the files come through the service worker, whose requests only the context sees.
    await context.route(file, async (route) => {
      if (fault === 'stalled') return; // never answers
      if (fault === '404') return route.fulfill({ status: 404, body: 'not found' });
      const real = readFileSync(join(repoRoot, 'public/data/mnist/train-labels-idx1-ubyte.gz'));
      const body = fault === 'truncated' ? real.subarray(0, real.length >> 1) : Buffer.from(real.map((b, i) => (i > 20 && i < 200 ? b ^ 0x5a : b)));
      return route.fulfill({ status: 200, body, contentType: 'application/gzip' });
    });
    await openApp(page);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    // Nothing is fetched until the person first trains.
    await page.getByRole('button', { name: 'Train' }).click();
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('The MNIST data could not be loaded');
    const named = 'train-labels-idx1-ubyte';
    await expect(alert).toContainText({ '404': 'HTTP 404', truncated: named, corrupt: named, stalled: `${named}.gz: timed out after 3 s` }[fault]);
    await expect(page.getByRole('button', { name: 'Train' })).toBeDisabled();
    // Drawing with the pretrained model still works.
    await drawStrokes(page, SEVEN);
    await expect(predictionText(page)).toContainText('Prediction: 7');
    await context.unroute(file);
    await page.getByRole('button', { name: 'Retry' }).click();
    await expect(page.getByRole('alert')).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Train' })).toBeEnabled();
  });
}

test('bad weights files get a clear message and the old model keeps predicting', async ({ page }, info) => {
  await openApp(page);
  await drawStrokes(page, SEVEN);
  await expect(predictionText(page)).toContainText('Prediction: 7');
  const input = page.getByTestId('weights-input');
  const modifiedJson = readFileSync(join(repoRoot, 'public/models/lenet5-modified/model.json'));
  const originalBin = readFileSync(join(repoRoot, 'public/models/lenet5-original/weights.bin'));
  const modifiedBin = readFileSync(join(repoRoot, 'public/models/lenet5-modified/weights.bin'));
  const file = (name: string, data: Buffer) => {
    const path = info.outputPath(name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
    return path;
  };
  const json = file('model.json', modifiedJson);
  const cases: [string[], RegExp][] = [
    [[json], /weights file is missing/],
    [[json, file('wrong/weights.bin', originalBin)], /truncated or belongs to another model/],
    [[file('other/model.json', Buffer.from('{"hello": 1}')), file('other/w.bin', modifiedBin)], /not a TensorFlow.js Layers model/],
    [[json, file('huge/weights.bin', Buffer.alloc(70 * 2 ** 20))], /far larger than any LeNet-5/],
  ];
  for (const [files, message] of cases) {
    await input.setInputFiles(files);
    const alert = page.getByRole('alert').last();
    await expect(alert).toContainText(message);
    await expect(alert).toContainText('The model you had is still in use');
    await alert.getByRole('button', { name: 'Dismiss' }).click();
    await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue('pretrained-modified');
  }
  await page.getByRole('button', { name: 'Clear' }).click();
  await drawStrokes(page, SEVEN);
  await expect(predictionText(page)).toContainText('Prediction: 7');
});

test('a learning rate so large the loss becomes NaN stops training with a message; the last good weights are kept', async ({ page }) => {
  await openApp(page);
  await startTraining(page, { epochs: 2, lr: '1e30', test: false, model: 'original' });
  await expect(page.getByRole('alert')).toContainText(/Training stopped: the loss became NaN/);
  await expect(progress(page)).toContainText('weights from the last completed epoch were kept');
  await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue('trained');
  await drawStrokes(page, SEVEN);
  // The kept weights are finite: ten probabilities that sum to one.
  const bars = page.getByRole('list', { name: 'Probability of each digit' });
  await expect(bars).toHaveAttribute('data-probabilities', /\d/);
  const p = (await bars.getAttribute('data-probabilities'))!.split(' ').map(Number);
  expect(p.every(Number.isFinite)).toBe(true);
  expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
});

test('three epochs leak no tensors in the worker', async ({ page }) => {
  await openApp(page);
  await startTraining(page, { epochs: 3, test: false });
  await expect(progress(page)).toContainText('Training finished: 3 epochs', { timeout: 150_000 });
  const text = await page.getByTestId('tensors').innerText();
  const counts = text.replace(/.*: /, '').split(', ').map(Number);
  expect(counts).toHaveLength(3);
  expect(counts[2]).toBe(counts[0]);
});

test('a reload mid-training brings the last epoch back from IndexedDB, and training can continue', async ({ page }) => {
  await openApp(page);
  await startTraining(page, { epochs: 3, test: false, images: '2,000 images (quick demo)' });
  await expect(page.getByTestId('saved')).toContainText('after epoch 1');
  // Paused, the run stays put: the epochs done are the ones saved once the last save has landed.
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(progress(page)).toContainText('paused');
  const done = await page.getByTestId('epochs').locator('tbody tr').count();
  await expect(page.getByTestId('saved')).toContainText(`after epoch ${done}`);
  page.once('dialog', (d) => void d.accept()); // "Leave site?": training is paused
  await page.reload();
  await expect(page.getByRole('note').filter({ hasText: `Restored your modified model from this browser (epoch ${done} of 3)` })).toBeVisible();
  await page.getByRole('combobox', { name: 'Model' }).selectOption('trained');
  await drawStrokes(page, SEVEN);
  await expect(predictionText(page)).toContainText(/Prediction: \d/);
  await page.getByRole('button', { name: 'Continue training' }).click();
  await expect(progress(page)).toContainText('Training finished: 3 epochs', { timeout: 150_000 });
  await expect(page.getByTestId('charts')).toHaveAttribute('data-epochs', String(3 - done));
});

test('no request leaves the page’s origin during a whole session, and the CSP is in force without violations', async ({ page, context }) => {
  const foreign: string[] = [];
  context.on('request', (r) => { // the page's, its workers' and the service worker's
    const url = new URL(r.url());
    if (!['blob:', 'data:'].includes(url.protocol) && url.origin !== 'http://127.0.0.1:4173') foreign.push(r.url());
  });
  await page.addInitScript(() => {
    (self as unknown as { cspViolations: string[] }).cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => (self as unknown as { cspViolations: string[] }).cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const response = await page.goto('/');
  const headers = response!.headers();
  expect(headers['content-security-policy']).toMatch(/default-src 'self'/);
  expect(headers['content-security-policy']).not.toMatch(/'unsafe-inline'|'unsafe-eval'|\*/);
  expect(headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cross-origin-resource-policy': 'same-origin' });
  // dist/_headers, for static hosts, holds the same headers.
  const [path, ...lines] = (await (await page.request.get('/_headers')).text()).trimEnd().split('\n');
  expect(path).toBe('/*');
  expect(lines).toHaveLength(6);
  for (const line of lines) {
    const [, name, value] = /^ {2}([\w-]+): (.*)$/.exec(line)!;
    expect(headers[name.toLowerCase()]).toBe(value);
  }
  await openApp(page);
  await drawStrokes(page, SEVEN);
  await startTraining(page, { epochs: 1 });
  await expect(progress(page)).toContainText('Training finished: 1 epochs', { timeout: 150_000 });
  await page.getByRole('button', { name: 'Evaluate the selected model' }).click();
  await expect(page.getByTestId('test-accuracy')).toBeVisible();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download weights' }).click();
  await download;
  expect(foreign).toEqual([]);
  expect(await page.evaluate(() => (self as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true); // the CSP let it in
});

test('a lost WebGL context mid-training falls back to WebAssembly and continues from the last epoch', async ({ page }) => {
  test.setTimeout(600_000);
  await openApp(page);
  // 2,000 images and 4 epochs: epochs of 500 images ended before the context
  // could be lost (Playwright notices the first epoch up to a second late).
  await startTraining(page, { epochs: 4, model: 'original', backend: 'webgl', test: false, images: '2,000 images (quick demo)' });
  await expect(page.getByTestId('backend')).toContainText('Backend: webgl');
  await expect(page.getByTestId('tensors')).toBeVisible({ timeout: 400_000 }); // epoch 1 done (SwiftShader compiles slowly)
  const worker = page.workers().find((w) => w.url().includes('trainingWorker'))!;
  await worker.evaluate(() => (self as unknown as { loseWebGLContext: () => void }).loseWebGLContext());
  await expect(page.getByRole('note').filter({ hasText: /The WebGL context was lost; training continues on the CPU \(WebAssembly\) from epoch [1-3]\./ })).toBeVisible();
  await expect(page.getByTestId('backend')).toContainText('Backend: wasm');
  await expect(progress(page)).toContainText('Training finished: 4 epochs', { timeout: 300_000 });
  await expect(page.getByTestId('charts')).toHaveAttribute('data-epochs', '4');
});

test('training a new model asks before it replaces the one saved in this browser', async ({ page }) => {
  await openApp(page);
  await startTraining(page, { epochs: 1, model: 'original', test: false });
  await expect(page.getByTestId('saved')).toContainText('after epoch 1', { timeout: 150_000 });
  await expect(progress(page)).toContainText('Training finished: 1 epochs');
  const train = page.getByRole('button', { name: 'Train', exact: true });
  await train.click();
  const question = page.getByRole('group', { name: 'Replace the model saved in this browser?' });
  await expect(question).toContainText('Training a new model replaces your original model saved in this browser (epoch 1 of 1)');
  await expect(question.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await question.getByRole('button', { name: 'Cancel' }).click();
  await expect(question).toHaveCount(0);
  await expect(progress(page)).toContainText('Training finished: 1 epochs');
  await train.click();
  await question.getByRole('button', { name: 'Replace and start' }).click();
  await expect(progress(page)).toContainText(/Starting|Epoch 1 of 1/);
});

test('leaving the page asks first while training runs or is paused, and only then', async ({ page }) => {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.type());
    void d.dismiss(); // stay on the page
  });
  await openApp(page);
  await startTraining(page, { epochs: 20, model: 'original', test: false, images: '2,000 images (quick demo)' });
  await expect(progress(page)).toContainText('Epoch 1 of 20');
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(progress(page)).toContainText('paused');
  void page.reload().catch(() => undefined); // never completes: the page stays
  await expect.poll(() => dialogs).toEqual(['beforeunload']);
  await page.getByRole('button', { name: 'Resume' }).click();
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(progress(page)).toContainText(/Training stopped after \d+ complete epochs/);
  await page.reload();
  await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue('pretrained-modified');
  expect(dialogs).toEqual(['beforeunload']);
});

test('a checkpoint in this browser that cannot be restored gets a notice and Forget', async ({ page }) => {
  await openApp(page); // the app has made its database
  // The app's one record (src/browser/checkpointStore.ts), written or read (kind null).
  const record = (kind: 'older' | 'architecture' | 'corrupt' | null) =>
    page.evaluate(
      (kind) =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open('mnist-trainer');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction('checkpoints', 'readwrite');
            const store = tx.objectStore('checkpoints');
            // 3 numbers, where the modified LeNet-5's first weight is [5,5,1,32].
            const weights = { specs: [{ name: 'w0', shape: kind === 'corrupt' ? [5, 5, 1, 32] : [3], dtype: 'float32' }], data: new ArrayBuffer(12) };
            const config = { model: 'modified', epochs: 3, batchSize: 64, learningRate: 0.001 };
            const checkpoint = { version: 1, config, epochsDone: 1, globalStep: 8, history: [], weights, optimizer: weights };
            const req = kind === null ? store.get('latest') : store.put(kind === 'older' ? { weights: [0.1, 0.2], savedAt: 0 } : { checkpoint, validationSize: 5000, savedAt: 0 }, 'latest');
            tx.oncomplete = () => resolve(kind === null ? req.result : undefined);
            tx.onerror = () => reject(tx.error);
          };
        }),
      kind,
    );
  const reasons = { older: /not in the format this version of the app saves/, architecture: /has shape \[3\], the model needs \[5,5,1,32\]/, corrupt: /should have 800 values but has 3/ };
  for (const [kind, reason] of Object.entries(reasons) as ['older' | 'architecture' | 'corrupt', RegExp][]) {
    await record(kind);
    await page.reload();
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('The model saved in this browser could not be restored: ');
    await expect(alert).toContainText(reason);
    await expect(alert.getByRole('button', { name: 'Forget' })).toBeVisible();
  }
  await page.getByRole('alert').getByRole('button', { name: 'Forget' }).click();
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(await record(null)).toBeUndefined();
});

test('an error while rendering shows a message and a reload button, never a blank page', async ({ page }) => {
  await openApp(page);
  const input = page.getByTestId('weights-input');
  const onlyJson = [{ name: 'model.json', mimeType: 'application/json', buffer: Buffer.from('{}') }];
  await input.setInputFiles(onlyJson);
  await expect(page.getByRole('alert')).toContainText('Those weights could not be loaded');
  // What a page-translating extension does: it moves a node React owns, and React's next update throws.
  await page.getByRole('alert').evaluate((notice) => notice.remove());
  await input.setInputFiles(onlyJson); // the same notice again: React removes the old one, which is gone
  await expect(page.getByRole('alert')).toContainText('The page stopped working');
  await page.getByRole('button', { name: 'Reload the page' }).click();
  await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue('pretrained-modified');
  await expect(page.getByRole('alert')).toHaveCount(0);
});
